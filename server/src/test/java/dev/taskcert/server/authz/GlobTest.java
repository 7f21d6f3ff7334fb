package dev.taskcert.server.authz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class GlobTest {

  /** The regex translation declared patterns used to compile to: the semantics to keep. */
  private static boolean regexGlob(String pattern, String value) {
    String[] literals = pattern.split("\\*", -1);
    StringBuilder regex = new StringBuilder();
    for (int i = 0; i < literals.length; i++) {
      if (i > 0) {
        regex.append(".*");
      }
      regex.append(Pattern.quote(literals[i]));
    }
    return Pattern.compile(regex.toString(), Pattern.DOTALL).matcher(value).matches();
  }

  @Test
  void treatsOnlyStarAsSpecial() {
    assertTrue(Glob.matches("a.b*", "a.bc"));
    assertFalse(Glob.matches("a.b*", "axbc"));
    assertTrue(Glob.matches("*", ""));
    assertTrue(Glob.matches("*mid*", "xmidy"));
    assertFalse(Glob.matches("[a]", "a"));
    assertTrue(Glob.matches("[a]", "[a]"));
    assertFalse(Glob.matches("a?", "ab"));
    assertTrue(Glob.matches("\\E*\\Q", "\\Exyz\\Q"));
    assertTrue(Glob.matches("x*", "x\nline"), "a star spans line breaks");
  }

  @Test
  void matchesTheWholeValue() {
    assertTrue(Glob.matches("exact", "exact"));
    assertFalse(Glob.matches("exact", "exactly"));
    assertFalse(Glob.matches("exact", "inexact"));
    assertFalse(Glob.matches("", "x"));
    assertTrue(Glob.matches("", ""));
    assertTrue(Glob.matches("a**b", "ab"));
    assertTrue(Glob.matches("*b", "abab"));
    assertFalse(Glob.matches("*a", "abab"));
    assertTrue(Glob.matches("a*b*c", "aXbYbZc"));
    assertFalse(Glob.matches("a*b*c", "aXbYbZ"));
    assertFalse(Glob.matches("Etl_*", "etl_source"), "case matters");
  }

  @Test
  void comparesCodePointsLikeTheRegexDid() {
    assertTrue(Glob.matches("v_\uD83D\uDE00_*", "v_\uD83D\uDE00_1"));
    assertTrue(Glob.matches("*\u00e9*", "caf\u00e9s"));
    assertFalse(Glob.matches("e*", "\u00e9"));
    assertEquals(regexGlob("*\uD83D", "x\uD83D\uDE00"), Glob.matches("*\uD83D", "x\uD83D\uDE00"));
  }

  @Test
  void agreesWithTheRegexTranslationOnRandomPatterns() {
    Random random = new Random(20261125);
    String alphabet = "ab*.\\$";
    for (int round = 0; round < 20_000; round++) {
      String pattern = random(random, alphabet, 7);
      String value = random(random, "ab.\\$*", 9);
      assertEquals(regexGlob(pattern, value), Glob.matches(pattern, value), "'" + pattern + "' vs '" + value + "'");
    }
  }

  /** A pattern a backtracking regex needs exponential time for completes: at most pattern x value steps. */
  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void manyStarsAgainstANearMissCompletes() {
    String pattern = "a*".repeat(60) + "b";
    String value = "a".repeat(250);
    for (int i = 0; i < 1000; i++) {
      assertFalse(Glob.matches(pattern, value));
    }
    assertTrue(Glob.matches(pattern, value + "b"));
  }

  private static String random(Random random, String alphabet, int maxLength) {
    StringBuilder text = new StringBuilder();
    for (int i = random.nextInt(maxLength + 1); i > 0; i--) {
      text.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return text.toString();
  }
}
