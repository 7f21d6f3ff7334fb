package dev.taskcert.bench.load;

/**
 * What one load point measured.
 *
 * @param concurrency callers kept busy at once (closed loop) or the configured rate's label
 * @param calls calls that succeeded inside the measurement window
 * @param errors calls that failed inside the measurement window
 * @param seconds length of the measurement window
 * @param callsPerSecond successful calls per second
 * @param p50Millis median latency of successful calls
 * @param p99Millis 99th-percentile latency of successful calls
 * @param maxMillis slowest successful call
 */
public record LoadResult(
    int concurrency, long calls, long errors, double seconds, double callsPerSecond,
    double p50Millis, double p99Millis, double maxMillis) {}
