import { status as Status } from "@grpc/grpc-js";
import type { ClientDuplexStream, ClientWritableStream, StatusObject } from "@grpc/grpc-js";
import { InvalidArgumentError, drive, isAbortError } from "../../core/index.js";
import { assertSignal, detachSignal } from "../../core/options.js";
import { assertOptions } from "../../core/source.js";
import { serviceErrorFrom } from "../service-error.js";

/**
 * A grpc-js call with requests to write: what a client-streaming or bidi method returns, and what
 * {@link sendAll} takes.
 * @example
 * ```ts
 * const sendNames = (call: RequestCall<HelloRequest>, names: readonly string[]): Promise<void> =>
 *   sendAll(call, names.map((name) => ({ name })));
 * ```
 */
export type RequestCall<Req> = ClientWritableStream<Req> | ClientDuplexStream<Req, unknown>;

/**
 * Options of {@link sendAll}.
 * @example
 * ```ts
 * async function* names(): AsyncGenerator<HelloRequest> {
 *   for await (const row of rows) yield { name: row.name };
 * }
 * const call = greeter.CountHellos((error, reply) => console.log(error ?? reply?.count));
 * await sendAll(call, names(), { signal: AbortSignal.timeout(5_000) }); // on abort: names() stopped, call cancelled
 * ```
 */
export interface SendAllOptions {
  /**
   * Aborting it stops the iterable (`return()`), cancels the call and rejects with an `AbortError`.
   * @default undefined (sending runs until the iterable ends or the call does)
   */
  readonly signal?: AbortSignal;
}

/** Thrown inside drive() when the call ended before the requests did; never reaches the caller. */
class CallEnded extends Error {}

/**
 * Writes every value of `requests` into a grpc-js writable call (`ClientWritableStream` or
 * `ClientDuplexStream`) with backpressure, then half-closes it (`call.end()`).
 *
 * It uses `drive`: one value pulled at a time, and after a `write()` that returned `false` (the call's
 * highWaterMark, 16) nothing more until `'drain'`. If `requests` throws, the call is cancelled and the
 * promise rejects with that error. If `options.signal` aborts, `requests` is stopped, the call
 * cancelled, and the promise rejects with an `AbortError` (its `cause` is the signal's reason). If the
 * call ends first (the server answered early, failed, or the deadline passed), `requests` is stopped
 * and the promise resolves (OK status) or rejects with the call's `ServiceError`.
 *
 * **Gotcha:** the call's response (callback or response stream) is yours to read; `sendAll` only
 * writes. For the whole call as a promise or iterator, see `asyncClient`.
 * @param call - a call object returned by a grpc-js client-streaming or bidi method.
 * @param requests - any async (or sync) iterable; iterated once.
 * @param options - `signal`; see {@link SendAllOptions}.
 * @returns a promise that resolves once the call was half-closed (or ended OK before).
 * @throws {@link sluice!InvalidArgumentError} when `call` is not a grpc-js writable call, `requests` not iterable or
 *   an option invalid: at once, before anything is read or written (`requests` stay yours then).
 * @example
 * ```ts
 * const call = greeter.CountHellos((error, reply) => console.log(error ?? reply?.count));
 * await sendAll(call, [{ name: "a" }, { name: "b" }]); // then half-closes: the callback gets the count
 * ```
 */
export function sendAll<Req>(call: RequestCall<Req>, requests: AsyncIterable<Req> | Iterable<Req>, options?: SendAllOptions): Promise<void> {
  const shape = call as Partial<RequestCall<Req>> | null;
  const methods = ["write", "end", "cancel", "once", "removeListener"] as const;
  if (typeof shape !== "object" || shape === null || !methods.every((key) => typeof shape[key] === "function")) {
    throw new InvalidArgumentError("call", "a grpc-js ClientWritableStream or ClientDuplexStream", call);
  }
  const source = toAsyncIterable(requests);
  assertOptions(options);
  const signal = options?.signal;
  assertSignal(signal);
  // Checked above, before anything starts: a bad argument throws at once and `requests` stay the caller's.
  return send(call, source, signal);
}

async function send<Req>(call: RequestCall<Req>, source: AsyncIterable<Req>, signal: AbortSignal | undefined): Promise<void> {
  let index = 0; // of the request being written, for the error a null one gets
  let status: StatusObject | undefined; // set once the call has ended
  const ended = new AbortController(); // aborts drive() when the call ends before the requests do
  const onStatus = (received: StatusObject): void => {
    status = received;
    ended.abort(new CallEnded());
  };
  const onAbort = (): void => ended.abort(signal?.reason);
  let unheard: { readonly error: unknown } | undefined; // the signal's addEventListener threw this
  call.once("status", onStatus);
  try {
    if (signal?.aborted === true) onAbort();
    else signal?.addEventListener("abort", onAbort, { once: true });
  } catch (error) {
    unheard = { error }; // a signal that cannot be listened to: drive() gives up at once, closing the requests
    ended.abort(error);
  }
  try {
    await drive(
      source,
      {
        write: (request: Req) => {
          // A Node stream cannot carry null (it means "end"): say which request it was, as sluice's own error.
          if (request === null) throw new InvalidArgumentError(`requests[${index}]`, "a message (a grpc-js call cannot send null)", request);
          index += 1;
          return call.write(request);
        },
        waitForDrain: (stop) =>
          new Promise<void>((resolve) => {
            const settle = (): void => {
              call.removeListener("drain", settle);
              stop.removeEventListener("abort", settle);
              resolve();
            };
            // drive() aborts `stop` when it gives up (abort, or the call ended): just detach.
            if (stop.aborted) return resolve();
            call.once("drain", settle);
            stop.addEventListener("abort", settle, { once: true });
          }),
        end: () => {
          call.end();
        },
        // The iterable threw, or we were aborted: the call cannot go on half-written.
        fail: () => {
          if (status === undefined) call.cancel();
        },
      },
      { signal: ended.signal },
    );
  } catch (error) {
    if (unheard !== undefined || !isAbortError(error)) {
      // The iterable's own error (drive() has cancelled the call), or a request the call could not take (a null,
      // a write that threw): the call cannot go on half-written either way.
      if (status === undefined) call.cancel();
      throw unheard === undefined ? error : unheard.error;
    }
    if (signal?.aborted === true) throw error;
    if (status !== undefined && status.code !== Status.OK) throw serviceErrorFrom(status);
    // The call ended OK before every request was written: the server did not want the rest.
  } finally {
    call.removeListener("status", onStatus);
    detachSignal(signal, onAbort);
  }
}

function toAsyncIterable<T>(values: AsyncIterable<T> | Iterable<T>): AsyncIterable<T> {
  if (typeof values === "object" && values !== null && Symbol.asyncIterator in values) return values;
  if (typeof values === "object" && values !== null && Symbol.iterator in values) {
    return (async function* () {
      yield* values;
    })();
  }
  throw new InvalidArgumentError("requests", "an async iterable or an iterable", values);
}
