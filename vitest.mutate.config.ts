// vitest under Stryker (npm run mutate): the same tests and setup file, in the worker threads Stryker's vitest
// runner uses. Threads take no execArgv; stryker.config.json starts the runner process with --expose-gc instead,
// which exposes gc() in its worker threads too.
import { defineConfig } from "vitest/config";
import base from "./vitest.config.js";

export default defineConfig({ ...base, test: { ...base.test, execArgv: [], isolate: false } });
