// Preloaded by go_js_wasm_exec: publishes the Go instance's memory as
// globalThis.trapdoorGoMemory, as public/worker.js does in the browser,
// so core/cpu's WebAssembly block compiler (jit_wasm.go) runs under Node.
"use strict";
const instantiate = WebAssembly.instantiate;
WebAssembly.instantiate = async function (...args) {
  const result = await instantiate.apply(this, args);
  const inst = result.instance || result;
  if (inst.exports && inst.exports.mem) globalThis.trapdoorGoMemory = inst.exports.mem;
  return result;
};
