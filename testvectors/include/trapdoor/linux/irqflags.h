/* Trapdoor kernel module API: interrupt flags, as real instructions
 * (pushf/popf/cli/sti at CPL 0). With interrupts off the scheduler does
 * not preempt module code; a page fault may still sleep (see the 2019
 * DM510 report). */
#ifndef _TRAPDOOR_LINUX_IRQFLAGS_H
#define _TRAPDOOR_LINUX_IRQFLAGS_H

#define X86_EFLAGS_IF 0x200UL

static inline unsigned long arch_local_save_flags(void)
{
	unsigned long flags;
	__asm__ __volatile__("pushfl; popl %0" : "=rm"(flags) : : "memory");
	return flags;
}

static inline unsigned long arch_local_irq_save(void)
{
	unsigned long flags = arch_local_save_flags();
	__asm__ __volatile__("cli" : : : "memory");
	return flags;
}

static inline void arch_local_irq_restore(unsigned long flags)
{
	__asm__ __volatile__("pushl %0; popfl" : : "g"(flags) : "memory", "cc");
}

#define local_irq_save(flags) do { (flags) = arch_local_irq_save(); } while (0)
#define local_irq_restore(flags) arch_local_irq_restore(flags)
#define local_save_flags(flags) do { (flags) = arch_local_save_flags(); } while (0)
#define local_irq_disable() __asm__ __volatile__("cli" : : : "memory")
#define local_irq_enable() __asm__ __volatile__("sti" : : : "memory")
#define irqs_disabled() (!(arch_local_save_flags() & X86_EFLAGS_IF))
#define irqs_disabled_flags(flags) (!((flags) & X86_EFLAGS_IF))

#endif
