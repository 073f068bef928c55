//go:build js && wasm

package main

import "trapdoor/wasm/machine"

// starter runs programs on core/kernel (see package wasm/machine).
var starter = machine.Start

// starterNote is shown when starter is nil: a build without the core.
const starterNote = ""
