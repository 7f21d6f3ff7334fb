package dev.taskcert.supervisor.client;

import java.time.Instant;
import java.util.Optional;

/**
 * What a deferred task waits on and how it resumes.
 *
 * @param kwargsJson the trigger's arguments as a JSON object
 * @param nextKwargsJson the resume method's arguments as a JSON object
 */
public record Trigger(String classpath, String kwargsJson, String nextMethod, String nextKwargsJson,
    Optional<Instant> timeout) {}
