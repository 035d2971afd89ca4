package serve

// MaxBatchConcurrency is the default bound of a batch's concurrent runs.
const MaxBatchConcurrency = maxBatchConcurrency
