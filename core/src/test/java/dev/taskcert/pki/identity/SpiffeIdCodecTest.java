package dev.taskcert.pki.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SpiffeIdCodecTest {
  private final SpiffeIdCodec codec = new SpiffeIdCodec(new TrustDomain("taskcert.example"));

  @Test
  void encodesAirflowRunIdWithEscapes() {
    TaskIdentity identity =
        new TaskIdentity("etl.daily", "scheduled__2026-01-01T00:00:00+00:00", "load~x", -1, 2);
    assertEquals(
        "spiffe://taskcert.example/ti/etl.2edaily/scheduled__2026-01-01T00.3a00.3a00.2b00.3a00/load.7ex/-1/2",
        codec.encode(identity));
  }

  @Test
  void encodesUnicodeAsUtf8Escapes() {
    TaskIdentity identity = new TaskIdentity("données", "r", "タスク", 0, 1);
    String id = codec.encode(identity);
    assertEquals("spiffe://taskcert.example/ti/donn.c3.a9es/r/.e3.82.bf.e3.82.b9.e3.82.af/0/1", id);
    assertEquals(identity, codec.parse(id));
  }

  @Test
  void encodesAdminIdentity() {
    assertEquals("spiffe://taskcert.example/admin/scheduler", codec.encode(new AdminIdentity("scheduler")));
    assertEquals(new AdminIdentity("scheduler"), codec.parse("spiffe://taskcert.example/admin/scheduler"));
  }

  @Test
  void roundTripsArbitraryUnicodeIds() {
    Random random = new Random(20261125L);
    for (int i = 0; i < 5_000; i++) {
      TaskIdentity identity = new TaskIdentity(
          randomId(random), randomId(random), randomId(random), random.nextInt(1000) - 1, 1 + random.nextInt(100));
      String encoded;
      try {
        encoded = codec.encode(identity);
      } catch (InvalidIdentityException tooLong) {
        assertTrue(tooLong.getMessage().contains("2048"), tooLong.getMessage());
        continue;
      }
      assertTrue(encoded.matches("spiffe://taskcert\\.example(/[A-Za-z0-9._-]+)+"), encoded);
      assertEquals(identity, codec.parse(encoded));
    }
  }

  @Test
  void distinctIdsNeverShareAnEncoding() {
    Random random = new Random(7L);
    Map<String, TaskIdentity> seen = new HashMap<>();
    for (int i = 0; i < 20_000; i++) {
      // Short ids over a tiny alphabet collide often as inputs, so encodings are compared hard.
      TaskIdentity identity = new TaskIdentity(
          shortId(random), shortId(random), shortId(random), random.nextInt(3) - 1, 1 + random.nextInt(2));
      TaskIdentity previous = seen.putIfAbsent(codec.encode(identity), identity);
      if (previous != null) {
        assertEquals(previous, identity);
      }
    }
    assertTrue(seen.size() > 1_000);
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "spiffe://taskcert.example/ti/a/r/t/-1/1/",           // trailing slash
    "spiffe://taskcert.example/ti/a/r/t/-1",              // missing try
    "spiffe://taskcert.example/ti/a//t/-1/1",             // empty run segment
    "spiffe://taskcert.example/ti/a/r/t/01/1",            // leading zero map index
    "spiffe://taskcert.example/ti/a/r/t/-0/1",            // negative zero
    "spiffe://taskcert.example/ti/a/r/t/-2/1",            // map index below -1
    "spiffe://taskcert.example/ti/a/r/t/-1/0",            // try zero
    "spiffe://taskcert.example/ti/a/r/t/-1/+1",           // sign on try
    "spiffe://taskcert.example/ti/a/r/t/-1/99999999999",  // try overflow
    "spiffe://taskcert.example/ti/a.2E/r/t/-1/1",         // upper-case hex
    "spiffe://taskcert.example/ti/.61/r/t/-1/1",          // escaped literal 'a'
    "spiffe://taskcert.example/ti/a.2/r/t/-1/1",          // truncated escape
    "spiffe://taskcert.example/ti/a./r/t/-1/1",           // dangling escape char
    "spiffe://taskcert.example/ti/.c3/r/t/-1/1",          // invalid UTF-8 (lone lead byte)
    "spiffe://taskcert.example/ti/.c0.af/r/t/-1/1",       // overlong UTF-8
    "spiffe://taskcert.example/ti/.00/r/t/-1/1",          // NUL
    "spiffe://taskcert.example/ti/a:b/r/t/-1/1",          // raw forbidden character
    "spiffe://taskcert.example/ti/./r/t/-1/1",            // dot segment
    "spiffe://taskcert.example/ti/../r/t/-1/1",           // dot-dot segment
    "spiffe://other.example/ti/a/r/t/-1/1",               // foreign trust domain
    "spiffe://TASKCERT.example/ti/a/r/t/-1/1",            // non-canonical trust domain
    "spiffe://taskcert.example/admin/Ops",                // upper case admin name
    "spiffe://taskcert.example/admin/ops/extra",          // admin with extra segment
    "spiffe://taskcert.example/xx/a/r/t/-1/1",            // unknown shape
    "https://taskcert.example/ti/a/r/t/-1/1",             // not spiffe
    "spiffe://taskcert.example/ti/a/r/t/-1/1?x=1",        // query
    "spiffe://taskcert.example/ti/a/r/t/-1/1#f",          // fragment
    ""
  })
  void rejectsNonCanonicalSpellings(String spelling) {
    assertThrows(InvalidIdentityException.class, () -> codec.parse(spelling));
  }

  @Test
  void rejectsEncodingsOverTheLengthLimit() {
    String wide = "é".repeat(TaskIdentity.MAX_ID_LENGTH); // 250 chars -> 1500 escaped bytes
    InvalidIdentityException e = assertThrows(InvalidIdentityException.class,
        () -> codec.encode(new TaskIdentity(wide, "run", wide, -1, 1)));
    assertTrue(e.getMessage().contains("2048"));
    assertThrows(InvalidIdentityException.class,
        () -> codec.parse("spiffe://taskcert.example/ti/" + "a".repeat(2100) + "/r/t/-1/1"));
  }

  @Test
  void rejectsInvalidIdentityFields() {
    assertThrows(InvalidIdentityException.class, () -> new TaskIdentity("", "r", "t", -1, 1));
    assertThrows(InvalidIdentityException.class, () -> new TaskIdentity("d", "r", "t", -2, 1));
    assertThrows(InvalidIdentityException.class, () -> new TaskIdentity("d", "r", "t", -1, 0));
    assertThrows(InvalidIdentityException.class, () -> new TaskIdentity("d", "r\0", "t", -1, 1));
    assertThrows(InvalidIdentityException.class, () -> new TaskIdentity("d\uD800", "r", "t", -1, 1));
    assertThrows(InvalidIdentityException.class, () -> new TaskIdentity("x".repeat(251), "r", "t", -1, 1));
    assertThrows(InvalidIdentityException.class, () -> new TrustDomain("Upper.Case"));
  }

  @Test
  void differentTriesHaveDifferentIds() {
    TaskIdentity first = new TaskIdentity("d", "r", "t", -1, 1);
    assertNotEquals(codec.encode(first), codec.encode(first.withTryNumber(2)));
    assertTrue(first.sameTaskInstanceAs(first.withTryNumber(2)));
  }

  private static String randomId(Random random) {
    int length = 1 + random.nextInt(40);
    StringBuilder id = new StringBuilder();
    while (id.length() < length) {
      int codePoint;
      switch (random.nextInt(4)) {
        case 0 -> codePoint = 0x20 + random.nextInt(0x5f);              // printable ASCII
        case 1 -> codePoint = 0xa0 + random.nextInt(0x2000);            // Latin, Greek, Cyrillic...
        case 2 -> codePoint = 0x3040 + random.nextInt(0x6000);          // CJK
        default -> codePoint = 0x10000 + random.nextInt(0x10000);       // supplementary planes
      }
      if (Character.isDefined(codePoint) && !Character.isSurrogate((char) codePoint) && codePoint != 0) {
        id.appendCodePoint(codePoint);
      }
    }
    return id.toString();
  }

  private static String shortId(Random random) {
    String alphabet = "a.:_-é";
    StringBuilder id = new StringBuilder();
    for (int i = 0, n = 1 + random.nextInt(3); i < n; i++) {
      id.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return id.toString();
  }
}
