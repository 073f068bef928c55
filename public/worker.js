// Starts the emulator worker's Go wasm (wasm/worker). Every URL is resolved
// against this script's own URL, never location.origin, so the site works
// under a path prefix such as /trapdoor/.
"use strict";
importScripts(new URL("../wasm_exec.js", self.location.href).href);

(async () => {
  const go = new Go();
  const url = new URL("worker.wasm", self.location.href).href;
  try {
    let result;
    try {
      result = await WebAssembly.instantiateStreaming(fetch(url), go.importObject);
    } catch (e) {
      // Servers without the application/wasm type fail streaming; retry.
      const bytes = await (await fetch(url)).arrayBuffer();
      result = await WebAssembly.instantiate(bytes, go.importObject);
    }
    // The block compiler (core/cpu/jit_wasm.go) builds modules that
    // import the emulator's own memory.
    self.trapdoorGoMemory = result.instance.exports.mem;
    await go.run(result.instance);
    self.postMessage(JSON.stringify({ type: "fatal", error: "the emulator worker stopped (see the browser console)." }));
  } catch (e) {
    self.postMessage(JSON.stringify({ type: "fatal", error: "the emulator worker could not start: " + e }));
  }
})();
