package dev.taskcert.bench.report;

/**
 * A target of the benchmark issue and whether this run met it.
 *
 * @param target what was required
 * @param measured what this run measured (a ratio or a value)
 * @param met whether the requirement holds
 * @param note where the number comes from, or what bounds it
 */
public record TargetCheck(String target, String measured, boolean met, String note) {}
