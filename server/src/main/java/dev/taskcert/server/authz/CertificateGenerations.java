package dev.taskcert.server.authz;

import dev.taskcert.server.db.Transactions;
import dev.taskcert.server.enrollment.IssuedCertificateMapper;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.ibatis.session.SqlSession;

/**
 * Which execution generation of its try each task certificate was issued for. The fact never
 * changes once a certificate is issued, so it is kept (for the most recently asked serials) without
 * expiry; it is only asked for tries that were resumed at least once.
 */
@Singleton
public final class CertificateGenerations {
  private static final int MAX_ENTRIES = 10_000;

  private final Transactions transactions;
  private final Map<String, Integer> known = new LinkedHashMap<>(256, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Integer> eldest) {
      return size() > MAX_ENTRIES;
    }
  };

  @Inject
  CertificateGenerations(Transactions transactions) {
    this.transactions = transactions;
  }

  /** The generation of {@code serialHex}, or 0 if it was never issued to a task. */
  public int of(String serialHex) {
    synchronized (known) {
      Integer cached = known.get(serialHex);
      if (cached != null) {
        return cached;
      }
    }
    Integer generation = transactions.withMapper(IssuedCertificateMapper.class, mapper -> mapper.generationOf(serialHex));
    int value = generation == null ? 0 : generation;
    synchronized (known) {
      known.put(serialHex, value);
    }
    return value;
  }

  /** Keeps the generation of {@code serialHex} read along with other facts (0: never issued to a task). */
  void known(String serialHex, int generation) {
    synchronized (known) {
      known.put(serialHex, generation);
    }
  }

  /** The generation of {@code serialHex}, read in {@code session} (under the caller's row lock). */
  public static int of(SqlSession session, String serialHex) {
    Integer generation = session.getMapper(IssuedCertificateMapper.class).generationOf(serialHex);
    return generation == null ? 0 : generation;
  }
}
