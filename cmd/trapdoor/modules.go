package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"trapdoor/core/kernel"
)

// loadModules loads each --module file into the kernel, named after the
// file without its .o.
func loadModules(k *kernel.Kernel, files []string, faultSleeps bool) error {
	if faultSleeps {
		if err := k.SetModuleFaultSleeps(true); err != nil {
			return err
		}
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return fmt.Errorf("--module: %w", err)
		}
		name := strings.TrimSuffix(filepath.Base(f), ".o")
		if _, err := k.LoadModule(name, data); err != nil {
			return fmt.Errorf("--module %s: %w", f, err)
		}
	}
	return nil
}
