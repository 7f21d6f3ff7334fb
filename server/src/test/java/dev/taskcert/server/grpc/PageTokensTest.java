package dev.taskcert.server.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.taskcert.server.refusal.Refusal;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PageTokensTest {
  @ParameterizedTest
  @ValueSource(strings = {"analytics_bucket", "données/タスク", "a"})
  void decodesTheKeysItEncodes(String key) {
    assertEquals(key, PageTokens.decode(PageTokens.encode(key)));
  }

  @Test
  void readsAnEmptyTokenAsTheFirstPage() {
    assertEquals("", PageTokens.decode(""));
  }

  @ParameterizedTest
  @ValueSource(strings = {"not base64!", "YQA", "_2E"})
  void refusesTokensThatDoNotDecodeToAKey(String token) {
    // "YQA" decodes to "a" and a NUL, "_2E" to a byte that is not UTF-8
    Refusal e = assertThrows(Refusal.class, () -> PageTokens.decode(token));
    assertEquals(Refusal.Kind.INVALID_REQUEST, e.kind());
    assertEquals("page_token is not a token this server issued", e.getMessage());
  }

  @Test
  void refusesOverlongTokens() {
    String token = Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[800]);
    assertEquals(Refusal.Kind.INVALID_REQUEST,
        assertThrows(Refusal.class, () -> PageTokens.decode(token)).kind());
  }
}
