// TypeScript declarations of the haywire package (require('haywire') on koffi,
// require('haywire/ffi-napi') on ffi-napi: the same API). Every 64-bit value
// (addresses, sizes, counters) is a bigint; 64-bit inputs take number or bigint.

export type U64 = bigint | number;

export interface RamRange { gpa: bigint; size: bigint; }

/** One vCPU's registers; only fields whose HAYWIRE_CPU_* bit is in `valid` mean anything. */
export interface CpuState {
  arch: number; cpu: number; valid: number;
  pc: bigint; sp: bigint; cr0: bigint; cr3: bigint; cr4: bigint; efer: bigint;
  ttbr0El1: bigint; ttbr1El1: bigint; tcrEl1: bigint; sctlrEl1: bigint;
}

/** A paging format; zero / missing fields are derived. */
export interface MmuFormat {
  arch?: number; granule?: number; vaBits?: number; levels?: number; paBits?: number;
  flags?: number; swPresentBit?: number; pageShift?: number; topEntries?: number;
}

export interface WalkStep {
  tablePa: bigint; entry: bigint; outPa: bigint;
  index: number;
  kind: number;    // HAYWIRE_ENTRY_*
  anomaly: number; // HAYWIRE_ANOMALY_* bits
  depth: number;
  levelName: string; // "PGD", "PUD", "PMD", "PTE", ...
}

/** One walk: status 0 (pa valid), or STATUS.HAYWIRE_E_NOT_MAPPED / _CORRUPT. */
export interface Translation {
  status: number; mapped: boolean;
  va: bigint; pa: bigint; pageSize: bigint; attrs: bigint;
  perms: number; flags: number; levels: number;
  steps: WalkStep[];
}

export interface VaRange {
  va: bigint; pa: bigint; size: bigint; pageSize: bigint;
  perms: number; flags: number; memtype: number;
}

export interface AnomalyInfo {
  va: bigint; tablePa: bigint; entry: bigint; index: number; depth: number; anomaly: number;
}

export interface WalkStats { tablesVisited: bigint; anomalies: bigint; ranges: bigint; stopVa: bigint; }

export interface KernelInfo {
  arch: number; kaslrOffset: bigint; root: bigint; pageSize: number; types: number;
  symbols: number; vmcoreinfoCandidates: number;
  nsVmcoreinfo: bigint; nsSymbols: bigint; nsTypes: bigint; bytesRead: bigint;
}

/** One task of a snapshot; index is its place in the snapshot. */
export interface Task {
  index: number; flags: number;
  pid: number; tgid: number; ppid: number; uid: number; comm: string;
  task: bigint; mm: bigint; pgd: bigint;
  kernelThread: boolean; isThread: boolean;
}

/** A C handle. close() releases it and everything made from it; use after close throws. */
interface Handle {
  readonly closed: boolean;
  close(): void;
}

export interface Source extends Handle {
  readonly kind: string;
  readonly flags: number; // HAYWIRE_SOURCE_* bits
  readonly ramSize: bigint;
  ramRanges(): RamRange[];
  /** Copies; throws NotRamError if any byte is not RAM. */
  read(pa: U64, length: U64): Buffer;
  /** Zero-copy view, valid until the source closes. */
  map(pa: U64, length: U64): Buffer;
  isRam(pa: U64, length?: U64): boolean;
  vmcoreinfo(): string | null;
  cpuStates(): CpuState[];
  kernel(options?: { calibrate?: boolean; noKallsyms?: boolean; scanVmcoreinfo?: boolean }): Kernel;
  /** Stop / restart a live guest's vCPUs (UnsupportedError for files and dumps). */
  pause(): void;
  resume(): void;
  /** A named property, e.g. 'read_path' of a QMP source; null if it has none. */
  property(name: string): string | null;
  aspace(format: MmuFormat, root: U64): Aspace;
}

export interface Aspace extends Handle {
  readonly root: bigint;
  readonly format: Required<MmuFormat>;
  readonly vaBounds: [bigint, bigint];
  /** Unmapped or corrupt walks are results (see status), not exceptions. */
  translate(va: U64): Translation;
  ranges(options?: { first?: U64; last?: U64; chunk?: number }): Generator<VaRange>;
  anomalies(options?: { first?: U64; last?: U64; cap?: number }): AnomalyInfo[];
  /** onRange for every range; return true to stop. Throws LimitError at a cap. */
  walk(onRange: (range: VaRange) => boolean | void, options?: {
    first?: U64; last?: U64; maxTables?: number; maxAnomalies?: number;
    onAnomaly?: (anomaly: AnomalyInfo) => boolean | void;
  }): WalkStats;
}

export interface Procs extends Handle, Iterable<Task> {
  readonly length: number;
  get(index: number): Task;
  /** Throws NotFoundError when no task has PID. */
  find(pid: number): Task;
  /** The task's user address space; NotFoundError for kernel threads. */
  aspace(task: Task | number): Aspace;
}

export interface Kernel extends Handle {
  readonly info: KernelInfo;
  readonly release: string;
  /** Borrowed: valid while the kernel is open. */
  readonly source: Source;
  readonly aspace: Aspace;
  symbol(name: string): bigint;
  read(kva: U64, length: U64): Buffer;
  snapshot(options?: { threads?: boolean }): Procs;
  processes(options?: { threads?: boolean }): Task[];
  /** The reverse map of PROCS (omitted: the processes now). */
  rmap(options?: { procs?: Procs; maxEntries?: U64; maxTables?: U64; maxAnomalies?: U64 }): Rmap;
}

export interface RmapStats {
  pageSize: number; procs: bigint; mappings: bigint; mappedPages: bigint; userFrames: bigint;
  sharedFrames: bigint; pageTablePages: bigint; kernelImageBytes: bigint; indexBytes: bigint;
  tablesVisited: bigint; anomalies: bigint; buildNs: bigint;
}
/** A process of a reverse map; index is its owner id. */
export interface RmapProc {
  index: number; flags: number; pid: number; uid: number; comm: string; pgd: bigint;
  rssBytes: bigint; pssBytes: bigint; ussBytes: bigint; pageTableBytes: bigint; mappings: bigint;
}
/** kind: constants.HAYWIRE_RMAP_USER, _PAGE_TABLE or _KERNEL_IMAGE. */
export interface RmapOwner {
  kind: number; proc: number; pid: number; va: bigint; pageSize: bigint; pagePa: bigint;
  perms: number; flags: number; level: number; mapcount: number;
}
export interface RmapMapping {
  va: bigint; pa: bigint; size: bigint; pageSize: bigint; perms: number; flags: number;
}
/** One entry per base page from pa: kind (HAYWIRE_RMAP_*), lowest owner id, mapcount. */
export interface RmapPages { pa: bigint; kind: Uint8Array; owner: Uint32Array; mapcount: Uint32Array; }
export interface RmapDumpLine { pid: number; va: bigint; pfn: bigint; writable: boolean; exec: boolean; }

export interface Rmap extends Handle {
  readonly stats: RmapStats;
  readonly processes: RmapProc[];
  /** Rebuild in place from the guest as it is now, reusing memory; closed on failure. */
  refresh(options?: { procs?: Procs }): Rmap;
  owners(pa: U64): RmapOwner[];
  pages(pa: U64, npages: number): RmapPages;
  mappings(proc: RmapProc | number, options?: { chunk?: number }): Generator<RmapMapping>;
  kernelRanges(): { pa: bigint; size: bigint }[];
  dump(): Generator<RmapDumpLine>;
}

/** A failed call: status (e.g. -8), code ("HAYWIRE_E_NOT_FOUND"), the library's message. */
export declare class HaywireError extends Error {
  status: number;
  code: string;
  call: string;
}
type ErrorClass = typeof HaywireError & { status: number; code: string };

/** "file:PATH[,layout=L]", "dump:PATH", "qmp:SOCKET" or a path. */
export declare function open(spec: string): Source;
export declare function version(): number;
export declare function versionString(): string;
export declare function strerror(status: number): string;
export declare function statusName(status: number): string | null;
export declare function lastError(): string;
export declare function mmuLevelName(levels: number, depth: number): string;
export declare function mmuFormatDerive(format: MmuFormat): Required<MmuFormat>;
export declare function mmuRootFromRegister(format: MmuFormat, register: U64): bigint;
export declare function errorClass(status: number): ErrorClass;
/** "koffi" or "ffi-napi". */
export declare const adapter: string;
export declare const libraryPath: string;
/** Status codes by name, from the library (haywire_status_name). */
export declare const STATUS: Readonly<Record<string, number>>;
/** HAYWIRE_* flags and sizes, generated from the C headers. */
export declare const constants: Readonly<Record<string, number>>;
/** Error classes by status code; also exported by name below. */
export declare const errors: Readonly<Record<number, ErrorClass>>;
/** Every C function, declared (for calls the wrapper does not cover). */
export declare const raw: Readonly<Record<string, (...args: unknown[]) => unknown>>;
// One class per status code of the library this package was written against;
// a newer library's codes are in `errors` and `errorClass`.
export declare const InvalidError: ErrorClass;
export declare const NomemError: ErrorClass;
export declare const IoError: ErrorClass;
export declare const NotRamError: ErrorClass;
export declare const CorruptError: ErrorClass;
export declare const FormatError: ErrorClass;
export declare const UnsupportedError: ErrorClass;
export declare const NotFoundError: ErrorClass;
export declare const TimeoutError: ErrorClass;
export declare const ProtocolError: ErrorClass;
export declare const NotMappedError: ErrorClass;
export declare const LimitError: ErrorClass;
export declare const HaywireRangeError: ErrorClass; // HAYWIRE_E_RANGE (RangeError is JavaScript's)
