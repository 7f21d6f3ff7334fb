package dev.taskcert.server.authz;

/**
 * Whose assets a caller may see: global ones, those of {@code team} and those shared with it, or
 * every team's when {@code allTeams} (multi-team off).
 *
 * @param team the caller's team, or {@code null} when its DAG belongs to no team
 */
public record AssetVisibility(String team, boolean allTeams) {}
