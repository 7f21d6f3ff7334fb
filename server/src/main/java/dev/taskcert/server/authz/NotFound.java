package dev.taskcert.server.authz;

/**
 * The one wording a task gets both for a resource that does not exist and for one it may not see
 * because another team owns it, so that neither the answer nor its description tells the two
 * apart. The audit record of a concealed denial carries the real reason.
 */
public final class NotFound {
  private NotFound() {}

  /** A variable that does not exist or is not the caller's to see. */
  public static String variable(String key) {
    return "variable '" + key + "' not found";
  }

  /** A connection that does not exist or is not the caller's to see. */
  public static String connection(String connId) {
    return "connection '" + connId + "' not found";
  }

  /** A DAG that is not registered or is not the caller's to see. */
  public static String dag(String dagId) {
    return "DAG '" + dagId + "' not found";
  }

  /**
   * An asset that does not exist or is not the caller's to see, in the words of the request: by
   * name when it names one, otherwise by URI.
   */
  public static String asset(String name, String uri) {
    return name.isEmpty() ? "asset with URI '" + uri + "' not found" : "asset '" + name + "' not found";
  }
}
