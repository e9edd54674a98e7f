import type { LinuxName, ViolationKind } from '@coupling-lab/lab';

/** The fix that cleared a historical bug, as code that runs: a strategy or variant, and where upstream it is. */
export interface HistoryFix {
  readonly strategy: string;
  /** The commit or message id of the fix. */
  readonly source: string;
  readonly change: string;
}

/**
 * One shape the kvm<->vfio coupling took upstream, posted, shipped or proposed, as a variant the
 * explorer runs on the scenario that opens its window. Every source is a commit id or a mail
 * message id (docs/model.md, "The coupling's history", says how each was checked).
 */
export interface HistoryRow {
  /** When it was posted or shipped. */
  readonly when: string;
  /** The version or proposal. */
  readonly version: string;
  /** What the code did, in a line. */
  readonly change: string;
  /** The commit or message id it is modelled from. */
  readonly source: string;
  /** What happened upstream. */
  readonly upstream: string;
  /** The variant (or strategy) that is this code. */
  readonly strategy: string;
  readonly linux: LinuxName;
  /** The catalogue scenario that opens the window. */
  readonly scenario: string;
  /** The violation the upstream fix describes, or 'clean' for a shape with no known bug. */
  readonly expected: ViolationKind | 'clean';
  readonly fix?: HistoryFix;
  /** What a kernel engineer should take from the row, in plain words. */
  readonly lesson: string;
  /** The row's variant is also one of the race catalogue's own variants (SPEC 7), raced with the catalogue in compare. */
  readonly catalogueVariant?: true;
}

/** The coupling's history since the seed series, oldest first. */
export const history: readonly HistoryRow[] = [
  {
    when: 'Apr 2022',
    version: 'seed series v1, patch 08/10 (posted)',
    change:
      'kvm_vfio_group_add calls kvg->ops->set_kvm(kvg->filp, dev->kvm) after mutex_unlock(&kv->lock), through the new vfio_file_ops table',
    source: '<8-v1-33906a626da1+16b0-vfio_kvm_no_group_jgg@nvidia.com>',
    upstream:
      'merged (as plain exports instead of the table) in v5.19 with the same window; fixed 15 months later by 9e0f4f2918c2',
    strategy: 'get-ops/v1-posted',
    linux: 'v5.17',
    scenario: 'add-vs-del',
    expected: 'use-after-free',
    fix: {
      strategy: 'get-ops',
      source: '9e0f4f2918c2 ("kvm/vfio: ensure kvg instance stays around in kvm_vfio_group_add()")',
      change: 'set_kvm is called with kv->lock still held',
    },
    lesson:
      "A table of function pointers does not remove the lifetime problem: the posted seed series had the same set_kvm window as the merged code, because the window is in KVM's locking, not in how VFIO is reached.",
  },
  {
    when: 'v5.19 (2022)',
    version: 'Linux v5.19 (shipped)',
    change: 'kvm_vfio_group_add calls kvm_vfio_file_set_kvm(kvg->file, ...) after mutex_unlock(&kv->lock)',
    source: 'ba70a89f3c2a ("vfio: Change vfio_group_set_kvm() to vfio_file_set_kvm()")',
    upstream:
      'a racing KVM_DEV_VFIO_GROUP_DEL frees the kvg first: use-after-free; fixed by 9e0f4f2918c2 (Jul 2023, backported to 6.1-stable)',
    strategy: 'symbol-get-file/v5.19-race',
    catalogueVariant: true,
    linux: 'v5.17',
    scenario: 'add-vs-del',
    expected: 'use-after-free',
    fix: {
      strategy: 'symbol-get-file',
      source: '9e0f4f2918c2 ("kvm/vfio: ensure kvg instance stays around in kvm_vfio_group_add()")',
      change: 'set_kvm is called with kv->lock still held',
    },
    lesson:
      "Holding the file (fget) keeps VFIO alive but not KVM's own bookkeeping: whatever reads kvg after kv->lock is dropped races GROUP_DEL. The earlier code (a local copy, v5.17) had the same window with a stale association instead of a crash.",
  },
  {
    when: 'v6.1 (2022)',
    version: 'Linux v6.1 (shipped)',
    change:
      "kvm-vfio lets go of its files in .destroy at VM teardown, calling vfio_file_set_kvm (group_lock); VFIO's side can make the VM's last kvm_put_kvm under group_lock",
    source:
      'kvm_vfio_destroy calling set_kvm(NULL) since 2fc1bec15883 ("kvm: set/clear kvm to/from vfio_group when group add/delete"); the chain as 51cdc8bc120e gives it',
    upstream:
      'group_lock -> kvm_put_kvm -> kvm_destroy_vm -> kvm_vfio_destroy -> vfio_file_set_kvm -> group_lock: a recursive deadlock; fixed by 51cdc8bc120e (Jan 2023) with .release',
    strategy: 'symbol-get-file/v6.1',
    linux: 'v6.6',
    scenario: 'vm-close-vs-device-close',
    expected: 'recursive-lock',
    fix: {
      strategy: 'symbol-get-file/v6.2',
      source: '51cdc8bc120e ("kvm/vfio: Fix potential deadlock on vfio group_lock")',
      change: 'kvm-vfio lets its files go in .release, when its own fd is released, not at VM teardown',
    },
    lesson:
      'Once VFIO holds a reference on the VM, the VM can die inside VFIO: any teardown callback that calls back into VFIO runs under whatever lock VFIO held at its put.',
  },
  {
    when: 'v6.2 (2023)',
    version: 'Linux v6.2 with vfio-ap (shipped)',
    change:
      "vfio_file_set_kvm takes group_lock under kvm->lock (kvm_device_release -> kvm_vfio_release), while a device open holds group_lock and vfio-ap's open_device takes kvm->lock",
    source: '51cdc8bc120e ("kvm/vfio: Fix potential deadlock on vfio group_lock")',
    upstream:
      'group_lock and kvm->lock taken in both orders: an ABBA deadlock reported on s390; fixed by 2b48f52f2bff (Feb 2023) with kvm_ref_lock and a VM reference VFIO takes through symbol_get',
    strategy: 'symbol-get-file/v6.2-vfio-ap',
    linux: 'v6.6',
    scenario: 'device-open-vs-vm-close',
    expected: 'lock-order',
    fix: {
      strategy: 'symbol-get-file/vfio-ap',
      source: '2b48f52f2bff ("vfio: fix deadlock between group lock and kvm lock")',
      change:
        'vfio_file_set_kvm takes kvm_ref_lock; VFIO takes its own VM reference (kvm_get_kvm_safe) at first open',
    },
    lesson:
      'Moving the callback (51cdc8bc120e) moved the deadlock: with two subsystems calling each other under their own locks, each fix has to break the cycle in the lock graph, which lockdep sees from sequential runs alone.',
  },
  {
    when: 'Sep-Dec 2023',
    version:
      '"vfio: KVM: Pass get/put helpers from KVM to VFIO, don\'t do circular lookup" (proposed, not merged)',
    change: "KVM hands VFIO pointers to its get and put; VFIO no longer symbol_get()s kvm's exports",
    source: '<20230916003118.2540661-6-seanjc@google.com>',
    upstream:
      'the author found it on the list: "nothing prevents userspace from unloading kvm.ko while VFIO still holds a reference to a kvm structure, and so invoking ->put_kvm() could jump into freed code" (<ZWp_q1w01NCZi8KX@google.com>); Jason Gunthorpe: "Maybe we should be refcounting the struct file not the struct kvm?" (<20231203140756.GI1489931@ziepe.ca>); dropped',
    strategy: 'symbol-get-file/put-helpers',
    linux: 'v6.6',
    scenario: 'rmmod-kvm-vs-vfio-put',
    expected: 'use-after-free',
    fix: {
      strategy: 'symbol-get-file',
      source: '2b48f52f2bff (the code the proposal would have replaced: symbol_get of kvm_put_kvm)',
      change: "VFIO's symbol_get of kvm_put_kvm holds kvm.ko until the put has returned",
    },
    lesson:
      "A function pointer into another module is only as alive as that module: symbol_get's ugliness was what pinned kvm.ko across the last kvm_put_kvm, whose own module_put is not its last instruction.",
  },
  {
    when: '2026',
    version:
      '"VFIO: take reference to the KVM module" (Paolo Bonzini, v1-v4, 2026); then "KVM/vfio: Use file-based reference counting for KVM" (queued)',
    change:
      'VFIO holds kvm.ko itself (try_module_get) from the VM reference to its put, and the symbol_get of kvm_get_kvm_safe/kvm_put_kvm goes; the later series pins the VM through its struct file',
    source:
      '<20260706085229.979525-2-seiden@linux.ibm.com> (v4 01/27); 5c3ea6d3e836 in kvms390/linux next (Oct 2026, not in mainline in the sources found)',
    upstream:
      'Jason Gunthorpe on v4: "I thought we weren\'t doing this approach? Use the struct file as the kvm handle." (<20260706195313.GE118978@ziepe.ca>); the file-based series replaced it (v5-v8)',
    strategy: 'symbol-get-file/kvm-module-ref',
    linux: 'v6.6',
    scenario: 'rmmod-kvm-vs-vfio-put',
    expected: 'clean',
    lesson:
      'Pinning the module explicitly closes the 2023 window without symbol_get; a struct file reference does the same implicitly (fput drops the owner only after ->release returns). The model runs the module-reference form; the file form is not modelled yet.',
  },
];

/**
 * The variants that exist for the history alone (each row's, and its fix's when that is a variant):
 * compare runs them in its History section, on their own scenarios, not against the whole catalogue.
 */
export function historyOnlyVariants(rows: readonly HistoryRow[] = history): string[] {
  const names = rows.flatMap((row) => [
    ...(row.catalogueVariant === true ? [] : [row.strategy]),
    ...(row.fix === undefined ? [] : [row.fix.strategy]),
  ]);
  return [...new Set(names.filter((name) => name.includes('/')))];
}
