package dev.taskcert.supervisor.client;

import java.util.Optional;

/**
 * A variable as a task reads it.
 *
 * @param team the owning team, empty for a global variable
 */
public record Variable(String key, String value, Optional<String> team) {}
