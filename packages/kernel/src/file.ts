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

let nextFileId = 1;

/** `struct file`: reference counted (f_count); the last fput runs `release` and unpins the owner. */
export class File extends KernelObject {
  count = 1;
  privateData: unknown = undefined;
  readonly id = nextFileId++;

  constructor(
    readonly path: string,
    readonly fops: FileOperations,
  ) {
    super(`file ${path}`, null);
  }
}
