// The ListStrings service: its client class (from the .proto, as users load theirs) and a handler written the
// grpc-js way, honouring 'drain'. The same handler object serves a real grpc.Server and the in-process client.
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { serverStreaming } from "../../grpc/index.js";

export interface ListStringsRequest {
  count: number;
  size: number;
  prefix: string;
}

export interface StringValue {
  value: string;
}

/** The generated-style client interface of the Strings service. */
export interface StringsClient extends grpc.Client {
  ListStrings(request: Partial<ListStringsRequest>, options?: grpc.CallOptions): grpc.ClientReadableStream<StringValue>;
  ListStrings(request: Partial<ListStringsRequest>, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<StringValue>;
}

/** The client class; its instances are `StringsClient`s (proto-loader classes are untyped: cast with `as unknown as`). */
export type StringsClientConstructor = grpc.ServiceClientConstructor;

let loaded: StringsClientConstructor | undefined; // loaded on first use: nothing happens at import time

/** The `Strings` client class, loaded with proto-loader like any user's service. */
export function stringsClientClass(): StringsClientConstructor {
  if (loaded === undefined) {
    const definition = protoLoader.loadSync(join(import.meta.dirname, "list-strings.proto"), {
      keepCase: true,
      longs: String,
      enums: String,
      defaults: true,
      oneofs: true,
    });
    const pkg = grpc.loadPackageDefinition(definition) as unknown as { sluice: { examples: { Strings: StringsClientConstructor } } };
    loaded = pkg.sluice.examples.Strings;
  }
  return loaded;
}

/** What a ListStrings handler needs from its call: grpc-js's ServerWritableStream, or a stand-in. */
export interface StringsCall {
  readonly request: ListStringsRequest;
  write(message: StringValue): boolean;
  once(event: "drain", listener: () => void): unknown;
  end(): void;
}

/** Streams the strings, waiting for 'drain' whenever write() says the buffer is full. */
export function listStrings(call: StringsCall): void {
  const { count, size, prefix } = call.request;
  const value = prefix + "x".repeat(Math.max(0, size - prefix.length));
  let sent = 0;
  const pump = (): void => {
    while (sent < count) {
      sent += 1;
      if (!call.write({ value })) {
        call.once("drain", pump);
        return;
      }
    }
    call.end();
  };
  pump();
}

/** The implementation object, as given to `server.addService` (and to `createInProcessClient`). */
export const stringsImplementation = { ListStrings: listStrings } as unknown as grpc.UntypedServiceImplementation;

/** The same handler written as an async generator with sluice's adapter: drain, cancellation and status handled. */
export const listStringsGenerator = serverStreaming<ListStringsRequest, StringValue>(async function* ({ count, size, prefix }) {
  const value = prefix + "x".repeat(Math.max(0, size - prefix.length));
  for (let i = 0; i < count; i += 1) yield { value };
});
