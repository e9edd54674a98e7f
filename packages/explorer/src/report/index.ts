export {
  bugReport,
  type BugContext,
  type BugReport,
  type ChainEdge,
  type ReportableVerdict,
  type ReportStep,
  type ReportThread,
  type Waiter,
} from './bug-report.js';
export { locateFault, type FaultSite } from './fault-site.js';
export {
  renderInterleaving,
  threadHeading,
  preemptionNote,
  type InterleavingOptions,
} from './interleaving.js';
export { labBugReport } from './lab-bug-report.js';
export {
  faultLine,
  lockdepLines,
  renderBugReport,
  whereLine,
  type RenderBugOptions,
} from './render-bug-report.js';
export { replayCommand, shellWord } from './replay-command.js';
