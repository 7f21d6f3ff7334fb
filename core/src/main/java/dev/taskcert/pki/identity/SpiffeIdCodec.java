package dev.taskcert.pki.identity;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * Encodes workload identities as SPIFFE IDs of one trust domain and parses them back, strictly.
 *
 * <ul>
 *   <li>task try: {@code spiffe://<td>/ti/<dag>/<run>/<task>/<mapIndex>/<try>}
 *   <li>admin: {@code spiffe://<td>/admin/<name>}
 * </ul>
 *
 * <p>Ids are escaped with {@link SegmentEscaping}; numbers are plain decimal without sign (except
 * the map index {@code -1}) or leading zeros. {@link #parse} accepts exactly the strings {@link
 * #encode} produces, so every identity has one canonical SPIFFE ID.
 */
public final class SpiffeIdCodec {
  /** The SPIFFE limit on a whole SPIFFE ID, in bytes. */
  public static final int MAX_LENGTH_BYTES = 2048;

  private static final String SCHEME = "spiffe://";
  private static final String TASK_PATH = "ti";
  private static final String ADMIN_PATH = "admin";
  private static final Pattern MAP_INDEX = Pattern.compile("-1|0|[1-9][0-9]{0,9}");
  private static final Pattern TRY_NUMBER = Pattern.compile("[1-9][0-9]{0,9}");

  private final TrustDomain trustDomain;
  private final String prefix;

  public SpiffeIdCodec(TrustDomain trustDomain) {
    this.trustDomain = trustDomain;
    this.prefix = SCHEME + trustDomain.name() + "/";
  }

  public TrustDomain trustDomain() {
    return trustDomain;
  }

  /**
   * Encodes an identity.
   *
   * @throws InvalidIdentityException if the encoding would exceed {@value #MAX_LENGTH_BYTES} bytes
   */
  public String encode(WorkloadIdentity identity) {
    String path;
    if (identity instanceof TaskIdentity t) {
      path =
          TASK_PATH
              + "/" + SegmentEscaping.encode(t.dagId())
              + "/" + SegmentEscaping.encode(t.runId())
              + "/" + SegmentEscaping.encode(t.taskId())
              + "/" + t.mapIndex()
              + "/" + t.tryNumber();
    } else {
      path = ADMIN_PATH + "/" + ((AdminIdentity) identity).name();
    }
    String id = prefix + path;
    if (id.length() > MAX_LENGTH_BYTES) { // encoded ids are ASCII: chars == bytes
      throw new InvalidIdentityException(
          "SPIFFE ID would be " + id.length() + " bytes, over the " + MAX_LENGTH_BYTES + "-byte limit");
    }
    return id;
  }

  /**
   * Parses a SPIFFE ID of this trust domain.
   *
   * @throws InvalidIdentityException if the ID is of another trust domain, of an unknown shape, or
   *     not in canonical form
   */
  public WorkloadIdentity parse(String spiffeId) {
    if (spiffeId == null) {
      throw new InvalidIdentityException("SPIFFE ID is missing");
    }
    if (spiffeId.getBytes(StandardCharsets.UTF_8).length > MAX_LENGTH_BYTES) {
      throw new InvalidIdentityException(
          "SPIFFE ID is longer than the " + MAX_LENGTH_BYTES + "-byte limit");
    }
    if (!spiffeId.startsWith(SCHEME)) {
      throw new InvalidIdentityException("not a SPIFFE ID (must start with spiffe://)");
    }
    if (!spiffeId.startsWith(prefix)) {
      throw new InvalidIdentityException(
          "SPIFFE ID is not in trust domain " + trustDomain.name());
    }
    String[] segments = spiffeId.substring(prefix.length()).split("/", -1);
    WorkloadIdentity identity =
        switch (segments[0]) {
          case TASK_PATH -> parseTask(segments);
          case ADMIN_PATH -> parseAdmin(segments);
          default -> throw new InvalidIdentityException(
              "SPIFFE ID path must start with /" + TASK_PATH + "/ or /" + ADMIN_PATH + "/");
        };
    if (!encode(identity).equals(spiffeId)) {
      throw new InvalidIdentityException("SPIFFE ID is not in canonical form");
    }
    return identity;
  }

  private static TaskIdentity parseTask(String[] segments) {
    if (segments.length != 6) {
      throw new InvalidIdentityException(
          "task SPIFFE ID must have the path /ti/<dag>/<run>/<task>/<mapIndex>/<try>");
    }
    String dagId = SegmentEscaping.decode(segments[1], "dag id");
    String runId = SegmentEscaping.decode(segments[2], "run id");
    String taskId = SegmentEscaping.decode(segments[3], "task id");
    int mapIndex = parseNumber(segments[4], MAP_INDEX, "map index");
    int tryNumber = parseNumber(segments[5], TRY_NUMBER, "try number");
    return new TaskIdentity(dagId, runId, taskId, mapIndex, tryNumber);
  }

  private static AdminIdentity parseAdmin(String[] segments) {
    if (segments.length != 2) {
      throw new InvalidIdentityException("admin SPIFFE ID must have the path /admin/<name>");
    }
    return new AdminIdentity(segments[1]);
  }

  private static int parseNumber(String text, Pattern canonical, String what) {
    if (!canonical.matcher(text).matches()) {
      throw new InvalidIdentityException(what + " segment is not a canonical decimal number: " + text);
    }
    long value = Long.parseLong(text);
    if (value > Integer.MAX_VALUE) {
      throw new InvalidIdentityException(what + " is out of range: " + text);
    }
    return (int) value;
  }
}
