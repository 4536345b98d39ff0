/** parareal: parallel-in-time integration for TypeScript. */
export { Vector, Literal, Unary, Binary, H5Snap, literal, combine, snapshots, type BinaryOp, type UnaryOp } from "./expr/vector.js";
export { index, slice, applyIndex, select, type IndexItem, type Slice } from "./expr/index.js";
export { encode, decode, toJSON, fromJSON, type EncodedExpr, type EncodedNumber } from "./expr/codec.js";
export { reduce, reduceAsync } from "./expr/reduce.js";

export type { Problem, Solution, Stepper, Method } from "./ode/problem.js";
export { linspace } from "./ode/linspace.js";
export { forwardEuler } from "./ode/forward-euler.js";
export { rk4 } from "./ode/rk4.js";
export { dopri5, type Dopri5, type Dopri5Options } from "./ode/dopri5.js";
export { backwardEuler, type BackwardEulerOptions } from "./ode/backward-euler.js";
export { iterateSolution, tabulateSubSteps, subSteps, type Table } from "./ode/iterate.js";
export { tabulate } from "./ode/tabulate.js";
export { harmonicOscillator, underdampedSolution } from "./ode/harmonic.js";
export { declareProblem, declaredRhs, marchKernel, withKernel, type MarchKernel } from "./ode/kernel/kernel.js";
export { DeclarationError } from "./ode/kernel/expression.js";
export type { DeclaredRhs, ComponentsRhs, StencilRhs } from "./ode/kernel/declared.js";

export { fineFilename } from "./archive/filename.js";
export { loadHdf5, writeHdf5, readDataset, readSlice, type DatasetSpec, type DatasetContent } from "./archive/hdf5.js";

export { problems, buildProblem, defineProblem, loadProblemModule, type ProblemSpec, type ProblemDefinition, type ProblemEntry } from "./solvers/problems.js";
export { coarseSpec, fineSpec, type CoarseSpec, type FineSpec, type SolverSpec, type MethodName } from "./solvers/spec.js";
export { runSolver, runCoarse, runFine } from "./solvers/run.js";

export { Future, CancelledError, type FutureState } from "./exec/future.js";
export { QueueExecutor, JobError, type Executor, type ExecutorStats, type JobSpec, type JobRecord } from "./exec/executor.js";
export { InlineExecutor } from "./exec/inline.js";
export { ThreadsExecutor } from "./exec/threads.js";

export { parareal, maxAbsDiff, type Mapping } from "./parareal/serial.js";
export { Parareal, tabulateJobs, type PararealOptions, type PararealResult, type ConvergenceTest, type SolverFactory } from "./parareal/scheduler.js";
export { History, convergenceTest } from "./parareal/history.js";
export { runParareal, type RunOptions, type RunReport } from "./parareal/driver.js";
export { log, type Level } from "./log.js";
