package dev.taskcert.server.authz;

/**
 * Matches declared patterns (a DAG's variable patterns) where {@code *} stands for any run of
 * characters, possibly empty, and every other character is literal; the whole value must match.
 * It walks pattern and value once, going back only to the last {@code *}, so a match costs at most
 * O(pattern × value) steps whatever the pattern: unlike a backtracking regex, no declared pattern
 * can make authorization slow.
 */
public final class Glob {
  private static final int STAR = '*';

  private Glob() {}

  /** Whether {@code value} matches {@code pattern}, compared code point by code point. */
  public static boolean matches(String pattern, String value) {
    int[] p = pattern.codePoints().toArray();
    int[] v = value.codePoints().toArray();
    int pi = 0;
    int vi = 0;
    int star = -1;
    int resume = 0;
    while (vi < v.length) {
      if (pi < p.length && p[pi] == STAR) {
        // Try the star as empty first; remember where to extend it by one if that fails.
        star = pi++;
        resume = vi;
      } else if (pi < p.length && p[pi] == v[vi]) {
        pi++;
        vi++;
      } else if (star >= 0) {
        pi = star + 1;
        vi = ++resume;
      } else {
        return false;
      }
    }
    while (pi < p.length && p[pi] == STAR) {
      pi++;
    }
    return pi == p.length;
  }
}
