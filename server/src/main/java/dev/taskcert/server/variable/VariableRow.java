package dev.taskcert.server.variable;

/**
 * One stored variable.
 *
 * @param team the owning team's name, or {@code null} for a global variable
 */
public record VariableRow(String key, String value, String team) {}
