import { KernelObject } from './kernel-object.js';
import type { Module } from './module.js';
import type { Process } from './process.js';

/** An ioctl argument: an integer (often a user address) or a struct passed by value. */
export type IoctlArg = number | { readonly [field: string]: number | undefined } | undefined;

/**
 * `struct file_operations`: the table a module registers with a device node. `owner` is pinned
 * by every open file [fs/open.c do_dentry_open: fops_get -> try_module_get(owner)].
 */
export interface FileOperations {
  readonly name: string;
  readonly owner: Module | null;
  open?(file: File, current: Process): number;
  /** Called on every close() of an fd for this file, before its reference is dropped [fs/open.c filp_close]. */
  flush?(file: File): void;
  release?(file: File): void;
  ioctl?(file: File, request: number, arg: IoctlArg, current: Process): number;
}

/** Ids for files made outside a kernel's VFS (a kernel numbers its own, vfs.ts). */
let nextFileId = 1;

/** `struct file`: reference counted (f_count); the last fput runs `release` and unpins the owner. */
export class File extends KernelObject {
  count = 1;
  privateData: unknown = undefined;

  constructor(
    readonly path: string,
    readonly fops: FileOperations,
    /** Creation order, for listings; numbered per kernel, so that two boots number alike. */
    readonly id: number = nextFileId++,
  ) {
    super(`file ${path}`, null);
  }
}
