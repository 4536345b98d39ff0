/** OpenFOAM cases as parareal solvers: fields as one Float64Array state, case runs from a state. */
export { foamEnvironment, findApplication, OpenFoamUnavailable, BASHRC_VARIABLE, type FoamEnvironment } from "./environment.js";
export {
  readFieldFile,
  parseFieldFile,
  replaceInternalField,
  replaceValues,
  expandValue,
  encodeInternalField,
  internalValues,
  fieldFilePath,
  classValueType,
  formatScalar,
  FoamFormatError,
  VALUE_TYPES,
  type FieldFile,
  type FoamHeader,
  type InternalField,
  type ValueSpan,
  type ValueType,
} from "./foam-file.js";
export { layoutOf, readState, stateFiles, fieldView, fieldNames, fieldTables, projectState, type FieldLayout, type FieldTable, type LayoutOptions, type StateLayout } from "./field-state.js";
export { getEntry, setEntries, type EntryValue } from "./controldict.js";
export { meshSize, patchSizes, internalCount, type MeshSize } from "./mesh-size.js";
export { formatGeneral, timeName, distinctTimeNames, timeDirs, type TimeDir } from "./time-name.js";
export { insideRoot, confinedDir, writeConfined, freshDir, OutsideRoot } from "./confine.js";
export { appRun, runApp, runAppSync, logTail, type AppRun } from "./app-process.js";
export { prepareCase, initialState, normalControls, type PreparedCase, type PrepareOptions } from "./prepare-case.js";
export { runCase, runCaseSync, finalState, stepsFor, writeStride, scratchCase, checkFinite, type CaseRunOptions, type CaseTrajectory, type ScratchOptions } from "./case-run.js";
export { writeCaseTimes, type CombineCaseOptions, type CombinedCase } from "./combine-case.js";
export { mapState, mapStateSync } from "./map-fields.js";
