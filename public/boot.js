// Starts the emulator worker as soon as the page starts loading, so its
// wasm downloads and compiles alongside the page's own app.wasm instead of
// after it. The page's Go code adopts the worker (app/ui/bridge.go) and
// replays the messages that arrived before it was running.
"use strict";
(() => {
  if (!("Worker" in self) || !document.currentScript) {
    return; // the page starts its own worker, or says why it cannot
  }
  const early = [];
  try {
    const worker = new Worker(new URL("worker.js", document.currentScript.src));
    worker.onmessage = (e) => early.push(e.data);
    worker.onerror = (e) => early.push(JSON.stringify({
      type: "fatal",
      error: "the emulator worker failed to load" + (e.message ? ": " + e.message : ""),
    }));
    self.trapdoorBoot = { worker, early };
  } catch (e) {
    console.error("starting the emulator worker:", e);
  }
})();
