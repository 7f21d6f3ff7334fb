package dev.taskcert.server.authz;

/**
 * The owners of variables a caller may see: global ones and {@code team}'s ({@code null} = none),
 * or all of them when {@code allTeams} (multi-team off).
 */
public record VariableVisibility(String team, boolean allTeams) {}
