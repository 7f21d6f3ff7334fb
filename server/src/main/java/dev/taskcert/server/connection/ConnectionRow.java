package dev.taskcert.server.connection;

/**
 * One stored connection; the password stays encrypted until an authorized read.
 *
 * @param team owning team's name, {@code null} for a global connection
 */
public record ConnectionRow(
    String connId,
    String team,
    String connType,
    String host,
    String schemaName,
    String login,
    byte[] passwordEncrypted,
    int port,
    String extra) {}
