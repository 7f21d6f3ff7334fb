package dev.taskcert.supervisor.client;

/** A connection as an authorized task reads it; {@link #toString()} never shows the password. */
public record Connection(
    String connId, String connType, String host, String schema, String login, String password, int port,
    String extraJson) {

  @Override
  public String toString() {
    return "Connection[connId=" + connId + ", connType=" + connType + ", host=" + host + ", schema=" + schema
        + ", login=" + login + ", password=" + (password.isEmpty() ? "" : "***") + ", port=" + port + "]";
  }
}
