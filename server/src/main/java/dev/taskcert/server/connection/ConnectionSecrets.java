package dev.taskcert.server.connection;

import dev.taskcert.server.secret.SecretBox;
import jakarta.inject.Inject;

/**
 * Seals and opens the secret fields of a connection row, its password and its extra parameters,
 * each bound to the row and to the field: a ciphertext copied to another row, or from one field to
 * the other, does not open. Connection ids never contain NUL, so the extra field's record id
 * ({@code connId + "\0extra"}) can never equal a password's ({@code connId}).
 */
public final class ConnectionSecrets {
  private final SecretBox box;

  @Inject
  ConnectionSecrets(SecretBox box) {
    this.box = box;
  }

  /** The sealed password for connection {@code connId}, or {@code null} when it has none. */
  public byte[] sealPassword(String connId, String password) {
    return password.isEmpty() ? null : box.seal(password, connId);
  }

  /** The sealed extra parameters (a JSON object) of connection {@code connId}. */
  public byte[] sealExtra(String connId, String extraJson) {
    return box.seal(extraJson, extraRecordId(connId));
  }

  /** The row's password in clear, or {@code ""} when it has none. */
  String password(ConnectionRow row) {
    return row.passwordEncrypted() == null ? "" : box.open(row.passwordEncrypted(), row.connId());
  }

  /**
   * The row's extra parameters in clear: the sealed column, or for a row written before extras
   * were sealed (and not set since), the plaintext one.
   */
  String extra(ConnectionRow row) {
    return row.extraSealed() == null ? row.extra() : box.open(row.extraSealed(), extraRecordId(row.connId()));
  }

  private static String extraRecordId(String connId) {
    return connId + "\0extra";
  }
}
