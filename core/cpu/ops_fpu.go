package cpu

import "trapdoor/core/cpu/x87"

// Glue between the decoder and package x87: D8-DF go to FPU.Exec with
// the operand address already computed, and *CPU provides the memory,
// EFLAGS and AX access the FPU needs (x87.Machine).

func init() {
	for op := 0xD8; op <= 0xDF; op++ {
		oneByte[op] = fixed("fpu", argModRM, fpuExec)
	}
	oneByte[0x9B] = fixed("fwait", 0, fwait)
}

func fpuExec(c *CPU, in *Inst) {
	xi := x87.Insn{
		Op:    uint8(in.Op - 0xD8),
		ModRM: in.ModRM,
		IP:    c.insnStart(),
		CS:    c.Seg[CS],
		Op16:  in.op16,
	}
	if in.mod != 3 {
		xi.Addr = c.ea(in)
		if in.seg < uint8(len(c.Seg)) {
			xi.DS = c.Seg[in.seg]
		}
	}
	c.FPU.Exec(c, &xi)
}

// fwait raises #MF when an unmasked exception is pending, as every
// waiting x87 instruction does.
func fwait(c *CPU, in *Inst) {
	if c.FPU.Pending() {
		c.raise(VecFPUError, 0)
	}
}

// x87.Machine.

func (c *CPU) FPURead16(addr uint32) uint16     { return c.read16(addr) }
func (c *CPU) FPURead32(addr uint32) uint32     { return c.read32(addr) }
func (c *CPU) FPURead64(addr uint32) uint64     { return c.read64(addr) }
func (c *CPU) FPUWrite16(addr uint32, v uint16) { c.write16(addr, v) }
func (c *CPU) FPUWrite32(addr uint32, v uint32) { c.write32(addr, v) }
func (c *CPU) FPUWrite64(addr uint32, v uint64) { c.write64(addr, v) }
func (c *CPU) FPUCheckWrite(addr, n uint32)     { c.checkWritable(addr, n) }
func (c *CPU) FPUEflags() uint32                { return c.EFLAGS() }
func (c *CPU) FPUSetAX(v uint16)                { c.R[EAX] = c.R[EAX]&^0xFFFF | uint32(v) }
func (c *CPU) FPUError()                        { c.raise(VecFPUError, 0) }
func (c *CPU) FPUUndefined()                    { c.raise(VecInvalidOp, 0) }
func (c *CPU) FPUSetFlags(zf, pf, cf bool) {
	c.setStatus(StatusFlags, flagIf(zf, FlagZF)|flagIf(pf, FlagPF)|flagIf(cf, FlagCF))
}
