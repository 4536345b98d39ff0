/** parareal: parallel-in-time integration for TypeScript. */
export { Vector, Literal, Unary, Binary, H5Snap, literal, combine, snapshots, type BinaryOp, type UnaryOp } from "./expr/vector.js";
export { index, indexRange, applyIndex, select, type IndexItem, type IndexRange } from "./ndarray/indexing.js";
export { encode, decode, toJSON, fromJSON, type EncodedExpr, type EncodedNumber } from "./expr/codec.js";
export { reduce, reduceAsync } from "./evaluate/reduce.js";

export type { Problem, Solution, Stepper, Method } from "./ode/problem.js";
export { linspace } from "./ode/linspace.js";
export { forwardEuler } from "./ode/forward-euler.js";
export { rk4 } from "./ode/rk4.js";
export { dopri5, type Dopri5, type Dopri5Options } from "./ode/dopri5.js";
export { backwardEuler, type BackwardEulerOptions } from "./ode/backward-euler.js";
export { METHODS, makeMethod, type MethodName, type Tolerances } from "./ode/methods.js";
export { iterateSolution, tabulateSubSteps, subSteps, type Table } from "./ode/iterate.js";
export { tabulate } from "./ode/tabulate.js";

export { harmonicOscillator, underdampedSolution } from "./models/harmonic.js";
export { lorenz, vanDerPol, brusselator, heat1d } from "./models/systems.js";
export { problems } from "./models/builtin.js";
export { buildProblem, problemEntry } from "./models/catalogue.js";
export { defineProblem, type ProblemSpec, type ProblemDefinition, type ProblemEntry } from "./models/problem-entry.js";
export { loadProblemModule } from "./models/user-module.js";
export { declareProblem, declaredRhs, marchKernel, withKernel, type MarchKernel } from "./ode/kernel/kernel.js";
export { DeclarationError } from "./ode/kernel/expression.js";
export type { DeclaredRhs, ComponentsRhs, StencilRhs } from "./ode/kernel/declared.js";

export { fineFilename } from "./archive/filename.js";
export { loadHdf5, writeHdf5, readDataset, readSelection, type DatasetSpec, type DatasetContent } from "./archive/hdf5.js";

export { coarseSpec, fineSpec, type CoarseSpec, type FineSpec, type SolverSpec } from "./solvers/spec.js";
export { runSolver } from "./solvers/run-solver.js";

export { CancelledError, UsageError } from "./errors.js";
export { Future, type FutureState } from "./exec/future.js";
export { QueueExecutor, JobError, type Executor, type ExecutorStats } from "./exec/executor.js";
export type { JobAdapter, JobEvent, JobInfo, Runtime } from "./exec/job.js";
export { InlineExecutor } from "./exec/inline.js";
export { ThreadsExecutor } from "./exec/threads.js";
export { solverJobs, solverRuntime, type JobSpec, type SolverExecutor } from "./jobs/solver-job.js";
export { threadsExecutor, inlineExecutor, redisExecutor } from "./jobs/executors.js";

export { parareal, maxAbsDiff, type Mapping } from "./parareal/serial.js";
export { Parareal, tabulateJobs, type PararealOptions, type PararealResult, type ConvergenceTest, type SolverFactory } from "./parareal/scheduler.js";
export { History, convergenceTest } from "./parareal/history.js";
export { runParareal, type RunReport, type RunHooks } from "./parareal/driver.js";
export { pararealSegment, type Segment, type SegmentMethod, type SegmentOutcome } from "./parareal/method.js";
export { Convergence, measure, norm, differenceNorm, type NormKind, type StoppingCriteria, type Measurement } from "./parareal/criteria.js";
export { IterateStopping, type MeasurementRecord } from "./parareal/stopping.js";
export { buildHierarchy, type Hierarchy, type Level as MgritLevel } from "./mgrit/hierarchy.js";
export { mgrit, type MgritOptions, type MgritResult } from "./mgrit/serial.js";
export { MgritScheduler, type MgritSolvers, type MgritIterate, type MgritScheduledResult } from "./mgrit/scheduler.js";
export { mgritSegment, segmentMethod, ResidualStopping, RELAX_DIR } from "./mgrit/run-method.js";
export { resolveRunConfig, type RunConfig, type RunInput } from "./config/run-config.js";
export { log, type Level } from "./log.js";
