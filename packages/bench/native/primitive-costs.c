/*
 * primitive-costs.c: what the kernel primitives coupling-lab counts cost on this machine.
 *
 * Compiled at run time by @coupling-lab/bench (cc -O2, see src/kernel-cost/run-harness.ts) and run
 * once; prints one JSON object on stdout. Each primitive is the user-space mirror of the kernel
 * function it prices (paths relative to a Linux tree, v6.6 unless noted):
 *
 *   find_symbol     kernel/module/main.c find_symbol: bsearch (lib/bsearch.c) with cmp_name
 *                   (strcmp) over vmlinux's __ksymtab and __ksymtab_gpl, then, for each module on
 *                   the `modules` list (newest first, UNFORMED ones skipped), a bsearch over its
 *                   syms and gpl_syms, until the symbol's owner is found.
 *   try_module_get  kernel/module/main.c try_module_get: module_is_live() && atomic_inc_not_zero().
 *   module_put      kernel/module/main.c module_put: atomic_dec_if_positive().
 *   call_direct     a call into another module resolved at load (relocated `call rel32`).
 *   call_indirect   a call through a function pointer (an ops table), predicted.
 *   call_retpoline  the same call through a retpoline thunk (-mindirect-branch=thunk, as
 *                   CONFIG_RETPOLINE builds the kernel; arch/x86/lib/retpoline.S).
 *   mutex_pair      kernel/locking/mutex.c mutex_lock + mutex_unlock, uncontended fast path:
 *                   __mutex_trylock_fast (cmpxchg_acquire owner 0 -> current) and
 *                   __mutex_unlock_fast (cmpxchg_release owner current -> 0).
 *   fget            fs/file.c __fget_files_rcu: fd-table lookup (files_fdtable, array_index_nospec)
 *                   and get_file_rcu (atomic_long_inc_not_zero on f_count).
 *   fput            fs/file_table.c fput: atomic_long_dec_and_test(&file->f_count).
 *
 * Single-threaded: every atomic hits a line this core owns, the uncontended case the estimate
 * prices. The loop around each primitive is included in its figure (about one cycle).
 */
#define _GNU_SOURCE
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NOINLINE __attribute__((noinline))
#ifdef __clang__
#define COMPILER "clang " __clang_version__
#elif defined(__GNUC__)
#define COMPILER "gcc " __VERSION__
#else
#define COMPILER "cc"
#endif

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- a kernel-sized export table ------------------------------------------------------------ */

/* Linux 5.12's vmlinux exported 31,695 symbols; about half of them GPL-only. */
#define VMLINUX_SYMS 16000
#define VMLINUX_GPL_SYMS 15695
/* A loaded distribution system: ~120 modules (lsmod), most exporting a few symbols. */
#define MODULES 120
/* vfio.ko sits in the middle of the list (the list is newest first; its position is load order). */
#define OWNER_POSITION 60

struct kernel_symbol {
	const char *name;
	unsigned long value;
};

struct symsearch {
	const struct kernel_symbol *start, *stop;
};

enum module_state { MODULE_STATE_LIVE, MODULE_STATE_COMING, MODULE_STATE_GOING, MODULE_STATE_UNFORMED };

struct module {
	enum module_state state;
	struct symsearch syms, gpl_syms;
	atomic_int refcnt;
	struct module *next;
};

static uint32_t rng_state = 0x9e3779b9u;
static uint32_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

/* Kernel-like names: a subsystem prefix and one or two words, e.g. "pci_bus_read_config_word". */
static const char *const prefixes[] = {
	"pci", "usb", "drm", "netif", "dev", "sched", "skb", "blk", "scsi", "iommu", "acpi", "clk",
	"gpio", "i2c", "irq", "kvm", "mmc", "nvme", "of", "phy", "pm", "regmap", "snd", "spi",
	"tty", "vfs", "xfrm", "crypto", "dma", "ext4", "fs", "inet", "ipv6", "kobject", "mem", "mutex",
	"nf", "page", "rcu", "rtnl", "seq", "sock", "sysfs", "tcp", "trace", "udp", "vm", "wq", "__x86",
};
static const char *const words[] = {
	"alloc", "free", "get", "put", "register", "unregister", "init", "exit", "read", "write",
	"config", "device", "driver", "lock", "unlock", "queue", "work", "state", "create", "destroy",
	"add", "del", "find", "lookup", "set", "clear", "enable", "disable", "start", "stop", "map",
	"unmap", "attach", "detach", "notify", "probe", "remove", "reset", "resume", "suspend",
};
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static char *make_name(void)
{
	char buf[96];
	int n = snprintf(buf, sizeof buf, "%s_%s_%s%u", prefixes[rng() % COUNT(prefixes)],
			 words[rng() % COUNT(words)], words[rng() % COUNT(words)], rng() % 1000);
	char *name = malloc((size_t)n + 1);
	memcpy(name, buf, (size_t)n + 1);
	return name;
}

static int sort_by_name(const void *a, const void *b)
{
	return strcmp(((const struct kernel_symbol *)a)->name, ((const struct kernel_symbol *)b)->name);
}

static struct symsearch make_table(unsigned count, const char *const *extra, unsigned extras)
{
	struct kernel_symbol *syms = calloc(count + extras + 1, sizeof *syms);
	for (unsigned i = 0; i < count; i++)
		syms[i] = (struct kernel_symbol){ make_name(), i };
	for (unsigned i = 0; i < extras; i++)
		syms[count + i] = (struct kernel_symbol){ extra[i], count + i };
	qsort(syms, count + extras, sizeof *syms, sort_by_name);
	return (struct symsearch){ syms, syms + count + extras };
}

/* cmp_name (kernel/module/main.c): the key is the name looked up. */
static int cmp_name(const void *name, const void *sym)
{
	return strcmp(name, ((const struct kernel_symbol *)sym)->name);
}

/* lib/bsearch.c __inline_bsearch: halve [base, base + num) until the key is found. */
static const void *kernel_bsearch(const void *key, const void *base, size_t num, size_t size,
				  int (*cmp)(const void *key, const void *elt))
{
	const char *pivot;
	int result;
	while (num > 0) {
		pivot = (const char *)base + (num >> 1) * size;
		result = cmp(key, pivot);
		if (result == 0)
			return pivot;
		if (result > 0) {
			base = pivot + size;
			num--;
		}
		num >>= 1;
	}
	return NULL;
}

static const struct kernel_symbol *lookup_exported_symbol(const char *name, const struct symsearch *s)
{
	return kernel_bsearch(name, s->start, (size_t)(s->stop - s->start), sizeof(struct kernel_symbol), cmp_name);
}

static struct symsearch vmlinux_syms, vmlinux_gpl_syms;
static struct module *modules; /* newest first, as list_add_rcu(&mod->list, &modules) leaves it */

/* find_symbol: vmlinux's two tables, then every formed module's two tables, in list order. */
static NOINLINE struct module *find_symbol(const char *name)
{
	if (lookup_exported_symbol(name, &vmlinux_syms) || lookup_exported_symbol(name, &vmlinux_gpl_syms))
		return NULL; /* owned by vmlinux */
	for (struct module *mod = modules; mod; mod = mod->next) {
		if (mod->state == MODULE_STATE_UNFORMED)
			continue;
		if (lookup_exported_symbol(name, &mod->syms) || lookup_exported_symbol(name, &mod->gpl_syms))
			return mod;
	}
	return NULL;
}

/* The file API KVM symbol_get()s from vfio.ko (virt/kvm/vfio.c v6.6) and v5.17's external-user API. */
static const char *const vfio_exports[] = {
	"vfio_file_is_valid", "vfio_file_enforced_coherent", "vfio_file_set_kvm", "vfio_file_iommu_group",
	"vfio_group_get_external_user", "vfio_group_put_external_user", "vfio_external_group_match_file",
	"vfio_group_set_kvm", "vfio_external_check_extension", "vfio_external_user_iommu_id",
};

static void build_tables(void)
{
	vmlinux_syms = make_table(VMLINUX_SYMS, NULL, 0);
	vmlinux_gpl_syms = make_table(VMLINUX_GPL_SYMS, NULL, 0);
	struct module **tail = &modules;
	for (unsigned i = 0; i < MODULES; i++) {
		struct module *mod = calloc(1, sizeof *mod);
		/* Most modules export nothing or a handful; a few (drm, snd) export hundreds. */
		unsigned r = rng() % 100;
		unsigned n = r < 40 ? 0 : r < 80 ? 1 + rng() % 12 : r < 97 ? 10 + rng() % 60 : 100 + rng() % 300;
		if (i == OWNER_POSITION) {
			mod->syms = make_table(4, NULL, 0);
			mod->gpl_syms = make_table(30, vfio_exports, COUNT(vfio_exports));
		} else {
			mod->syms = make_table(n / 2, NULL, 0);
			mod->gpl_syms = make_table(n - n / 2, NULL, 0);
		}
		atomic_init(&mod->refcnt, 1);
		*tail = mod;
		tail = &mod->next;
	}
}

/* ---- module references ---------------------------------------------------------------------- */

/* atomic_inc_not_zero: atomic_try_cmpxchg loop (include/linux/atomic/atomic-arch-fallback.h). */
static inline int atomic_inc_not_zero(atomic_int *v)
{
	int c = atomic_load_explicit(v, memory_order_relaxed);
	do {
		if (c == 0)
			return 0;
	} while (!atomic_compare_exchange_weak(v, &c, c + 1));
	return 1;
}

/* atomic_dec_if_positive: the same loop, refusing to go below zero. */
static inline int atomic_dec_if_positive(atomic_int *v)
{
	int c = atomic_load_explicit(v, memory_order_relaxed);
	int d;
	do {
		d = c - 1;
		if (d < 0)
			break;
	} while (!atomic_compare_exchange_weak(v, &c, d));
	return d;
}

static NOINLINE int try_module_get(struct module *module)
{
	if (!module)
		return 1;
	return module->state != MODULE_STATE_GOING && atomic_inc_not_zero(&module->refcnt);
}

static NOINLINE void module_put(struct module *module)
{
	if (module && atomic_dec_if_positive(&module->refcnt) < 0)
		abort(); /* WARN_ON(ret < 0) */
}

/* ---- calls ---------------------------------------------------------------------------------- */

static volatile unsigned long sink;
static NOINLINE void callee(unsigned long v) { sink = v; }
static NOINLINE void other_callee(unsigned long v) { sink = v + 1; }
typedef void (*fn_t)(unsigned long);
/* An ops table in writable memory, read through a volatile pointer: the compiler cannot see its target. */
static fn_t ops[2] = { callee, other_callee };
static fn_t *volatile ops_ptr = ops;

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define HAVE_RETPOLINE 1
#define RETPOLINE __attribute__((indirect_branch("thunk")))
#define NO_RETPOLINE __attribute__((indirect_branch("keep")))
#else
#define HAVE_RETPOLINE 0
#define RETPOLINE
#define NO_RETPOLINE
#endif

static NOINLINE void loop_direct(unsigned long n)
{
	for (unsigned long i = 0; i < n; i++)
		callee(i);
}

static NOINLINE NO_RETPOLINE void loop_indirect(unsigned long n)
{
	fn_t *table = ops_ptr;
	for (unsigned long i = 0; i < n; i++)
		table[0](i);
}

static NOINLINE RETPOLINE void loop_retpoline(unsigned long n)
{
	fn_t *table = ops_ptr;
	for (unsigned long i = 0; i < n; i++)
		table[0](i);
}

/* ---- mutex ---------------------------------------------------------------------------------- */

struct mutex {
	atomic_long owner;
};
static struct mutex kv_lock;
static long current_task = 0x1000; /* a task_struct address */

static NOINLINE void mutex_lock(struct mutex *lock)
{
	long zero = 0;
	if (!atomic_compare_exchange_strong_explicit(&lock->owner, &zero, current_task, memory_order_acquire,
						     memory_order_relaxed))
		abort(); /* the slow path: never taken uncontended */
}

static NOINLINE void mutex_unlock(struct mutex *lock)
{
	long curr = current_task;
	if (!atomic_compare_exchange_strong_explicit(&lock->owner, &curr, 0, memory_order_release,
						     memory_order_relaxed))
		abort();
}

/* ---- files ---------------------------------------------------------------------------------- */

struct file {
	atomic_long f_count;
};
struct fdtable {
	unsigned int max_fds;
	struct file **fd;
};
struct files_struct {
	struct fdtable *fdt;
};

/* array_index_nospec's generic mask: ~0 when index < size, else 0, without a branch. */
static inline unsigned long array_index_mask_nospec(unsigned long index, unsigned long size)
{
	return ~(long)(index | (size - 1 - index)) >> (sizeof(long) * 8 - 1);
}

static inline int atomic_long_inc_not_zero(atomic_long *v)
{
	long c = atomic_load_explicit(v, memory_order_relaxed);
	do {
		if (c == 0)
			return 0;
	} while (!atomic_compare_exchange_weak(v, &c, c + 1));
	return 1;
}

static NOINLINE struct file *fget(struct files_struct *files, unsigned int fd)
{
	struct fdtable *fdt = files->fdt;
	if (fd >= fdt->max_fds)
		return NULL;
	struct file *file = fdt->fd[fd & array_index_mask_nospec(fd, fdt->max_fds)];
	if (!file || !atomic_long_inc_not_zero(&file->f_count))
		return NULL;
	return file;
}

static NOINLINE void fput(struct file *file)
{
	if (atomic_fetch_sub(&file->f_count, 1) == 1)
		abort(); /* the last reference: ____fput as task work, never reached here */
}

/* ---- timing --------------------------------------------------------------------------------- */

static struct files_struct files;
static struct file *open_files[64];

typedef void (*body_t)(unsigned long n);

static void body_find_symbol(unsigned long n)
{
	for (unsigned long i = 0; i < n; i++)
		if (!find_symbol(vfio_exports[i % COUNT(vfio_exports)]))
			abort();
}

static struct module *owner_module(void)
{
	struct module *mod = modules;
	for (int i = 0; i < OWNER_POSITION; i++)
		mod = mod->next;
	return mod;
}

static void body_try_module_get(unsigned long n)
{
	struct module *mod = owner_module();
	for (unsigned long i = 0; i < n; i++)
		if (!try_module_get(mod))
			abort();
}

static void body_module_put(unsigned long n)
{
	struct module *mod = owner_module();
	for (unsigned long i = 0; i < n; i++)
		module_put(mod);
}

static void body_mutex_pair(unsigned long n)
{
	for (unsigned long i = 0; i < n; i++) {
		mutex_lock(&kv_lock);
		mutex_unlock(&kv_lock);
	}
}

static void body_fget(unsigned long n)
{
	for (unsigned long i = 0; i < n; i++)
		if (!fget(&files, 3 + (unsigned)(i & 7)))
			abort();
}

static void body_fput(unsigned long n)
{
	for (unsigned long i = 0; i < n; i++)
		fput(open_files[3 + (i & 7)]);
}

struct primitive {
	const char *name;
	const char *kernel;
	body_t body;
	void (*setup)(unsigned long n); /* untimed, before each sample */
};

/* Untimed, before each sample: the references the puts then drop. */
static void setup_module_put(unsigned long n)
{
	atomic_store(&owner_module()->refcnt, (int)n + 1);
}

static void setup_fput(unsigned long n)
{
	for (int fd = 3; fd < 11; fd++)
		atomic_store(&open_files[fd]->f_count, (long)(n / 8 + 2));
}

static void setup_none(unsigned long n) { (void)n; }

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double quantile(const double *sorted, int n, double p)
{
	double pos = (n - 1) * p;
	int lo = (int)pos;
	int hi = lo + 1 < n ? lo + 1 : lo;
	return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

#define MAX_SAMPLES 101

static void measure(const struct primitive *p, int samples, double sample_ns, int first)
{
	/* Calibrate: grow n until one sample takes about sample_ns (warm-up included). */
	unsigned long n = 16;
	for (;;) {
		p->setup(n);
		uint64_t t0 = now_ns();
		p->body(n);
		uint64_t dt = now_ns() - t0;
		if (dt >= sample_ns || n >= (1ul << 26))
			break;
		n *= dt < sample_ns / 8 ? 8 : 2;
	}
	double per_op[MAX_SAMPLES];
	for (int s = -2; s < samples; s++) { /* two more warm-up samples */
		p->setup(n);
		uint64_t t0 = now_ns();
		p->body(n);
		uint64_t dt = now_ns() - t0;
		if (s >= 0)
			per_op[s] = (double)dt / (double)n;
	}
	qsort(per_op, (size_t)samples, sizeof per_op[0], cmp_double);
	printf("%s\n    {\"name\": \"%s\", \"kernel\": \"%s\", \"median_ns\": %.4f, \"q1_ns\": %.4f, \"q3_ns\": %.4f, "
	       "\"min_ns\": %.4f, \"max_ns\": %.4f, \"samples\": %d, \"iterations\": %lu}",
	       first ? "" : ",", p->name, p->kernel, quantile(per_op, samples, 0.5), quantile(per_op, samples, 0.25),
	       quantile(per_op, samples, 0.75), per_op[0], per_op[samples - 1], samples, n);
}

static void body_direct(unsigned long n) { loop_direct(n); }
static void body_indirect(unsigned long n) { loop_indirect(n); }
static void body_retpoline(unsigned long n) { loop_retpoline(n); }

int main(int argc, char **argv)
{
	int samples = argc > 1 ? atoi(argv[1]) : 31;
	double sample_ms = argc > 2 ? atof(argv[2]) : 2.0;
	if (samples < 5 || samples > MAX_SAMPLES || !(sample_ms > 0)) {
		fprintf(stderr, "usage: %s [samples 5-%d] [ms per sample]\n", argv[0], MAX_SAMPLES);
		return 2;
	}
	build_tables();
	struct fdtable *fdt = calloc(1, sizeof *fdt);
	fdt->max_fds = 64;
	fdt->fd = open_files;
	for (int fd = 3; fd < 11; fd++) {
		open_files[fd] = calloc(1, sizeof(struct file));
		atomic_init(&open_files[fd]->f_count, 1);
	}
	files.fdt = fdt;

	const struct primitive primitives[] = {
		{ "find_symbol", "kernel/module/main.c find_symbol", body_find_symbol, setup_none },
		{ "try_module_get", "kernel/module/main.c try_module_get", body_try_module_get, setup_none },
		{ "module_put", "kernel/module/main.c module_put", body_module_put, setup_module_put },
		{ "call_direct", "call rel32 to another module", body_direct, setup_none },
		{ "call_indirect", "call through an ops table, predicted", body_indirect, setup_none },
		{ "call_retpoline", HAVE_RETPOLINE ? "call through an ops table via __x86_indirect_thunk"
						   : "no retpoline on this compiler or architecture: plain indirect call",
		  body_retpoline, setup_none },
		{ "mutex_pair", "kernel/locking/mutex.c mutex_lock + mutex_unlock fast paths", body_mutex_pair, setup_none },
		{ "fget", "fs/file.c __fget_files_rcu", body_fget, setup_none },
		{ "fput", "fs/file_table.c fput", body_fput, setup_fput },
	};

	struct timespec res;
	clock_getres(CLOCK_MONOTONIC, &res);
	uint64_t t0 = now_ns();
	for (int i = 0; i < 1000; i++)
		(void)now_ns();
	double clock_read_ns = (double)(now_ns() - t0) / 1000.0;

	printf("{\n  \"compiler\": \"%s\",\n  \"retpoline\": %s,\n  \"vmlinuxSymbols\": %d,\n  \"modules\": %d,\n"
	       "  \"ownerPosition\": %d,\n  \"clockResolutionNs\": %ld,\n  \"clockReadNs\": %.2f,\n  \"primitives\": [",
	       COMPILER, HAVE_RETPOLINE ? "true" : "false", VMLINUX_SYMS + VMLINUX_GPL_SYMS, MODULES,
	       OWNER_POSITION, res.tv_nsec + res.tv_sec * 1000000000l, clock_read_ns);
	for (size_t i = 0; i < COUNT(primitives); i++)
		measure(&primitives[i], samples, sample_ms * 1e6, i == 0);
	printf("\n  ]\n}\n");
	return 0;
}
