package scenario

import (
	"fmt"

	"trapdoor/core/kernel"
)

// machineConfig turns the scenario's machine into a kernel
// configuration. Everything that could differ between hosts is fixed
// here: the console is a pipe on every stream, the window 24x80, time
// virtual unless the scenario asks for the wall clock.
func machineConfig(m Machine) (kernel.Config, error) {
	cfg := kernel.Config{
		MemoryBytes:     m.Memory,
		MaxInstructions: m.MaxInstructions,
		Seed:            m.Seed,
		WallClock:       m.Clock == "wall",
		Slice:           m.Slice,
		MaxProcs:        m.MaxProcs,
		UID:             m.UID,
		GID:             m.UID,
		Rows:            24,
		Cols:            80,
		Profile:         m.Profile,
	}
	if cfg.MaxInstructions == 0 {
		cfg.MaxInstructions = DefaultMaxInstructions
	}
	if err := kernel.CheckProfile(m.Profile); err != nil {
		return cfg, fmt.Errorf("machine: %v", err)
	}
	policy, err := kernel.ParseMsgboxPolicy(m.Msgbox)
	if err != nil {
		return cfg, fmt.Errorf("machine: %v", err)
	}
	cfg.Msgbox = policy
	return cfg, nil
}
