package dev.taskcert.server.connection;

/**
 * One stored connection; the password and the extra parameters stay sealed until an authorized
 * read (see {@link ConnectionSecrets}).
 *
 * @param team owning team's name, {@code null} for a global connection
 * @param extra plaintext extra parameters: {@code "{}"} for a row whose extras are sealed, the
 *     parameters themselves for a row written before extras were sealed
 * @param extraSealed the sealed extra parameters, or {@code null} for a row written before
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
    String extra,
    byte[] extraSealed) {}
