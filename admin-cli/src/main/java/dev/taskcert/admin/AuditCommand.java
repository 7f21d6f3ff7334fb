package dev.taskcert.admin;

import dev.taskcert.audit.AuditKind;
import dev.taskcert.proto.admin.v1.AuditEvent;
import dev.taskcert.proto.admin.v1.ListAuditEventsRequest;
import dev.taskcert.proto.admin.v1.ListAuditEventsResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** {@code audit}: the audit log, newest first, filtered. */
@Command(name = "audit", mixinStandardHelpOptions = true, description = {
    "Prints audit events, newest first.",
    "Denials, refused enrollments, issuance, revocation, ended and queued tries, admin changes, tasks' triggers"
        + " and calls in a try's post-terminal grace. Filters apply to the newest --scan events."})
final class AuditCommand extends AdminCommand {
  private static final int PAGE = 500;

  @Option(names = "--limit", defaultValue = "50", paramLabel = "N",
      description = "print at most N events, 1 to 10000 (default ${DEFAULT-VALUE})")
  int limit;

  @Option(names = "--scan", defaultValue = "10000", paramLabel = "N",
      description = "look at most at the newest N events, 1 to 1000000 (default ${DEFAULT-VALUE})")
  int scan;

  @Option(names = "--kind", paramLabel = "KIND", converter = Kinds.class, completionCandidates = Kinds.class,
      description = "only this kind: ${COMPLETION-CANDIDATES}")
  AuditKind kind;

  @Option(names = "--principal", paramLabel = "TEXT", description = "only callers whose SPIFFE ID contains TEXT")
  String principal;

  @Option(names = "--rpc", paramLabel = "TEXT", description = "only RPCs whose full name contains TEXT")
  String rpc;

  @Option(names = "--resource", paramLabel = "PREFIX", description = "only resources starting with PREFIX, e.g. variable:")
  String resource;

  @Override
  protected void execute(Stubs stubs, Output output) {
    if (limit < 1 || limit > 10_000 || scan < 1 || scan > 1_000_000) {
      throw usageError("--limit must be 1 to 10000 and --scan 1 to 1000000");
    }
    List<AuditEvent> found = new ArrayList<>();
    String pageToken = "";
    int scanned = 0;
    while (found.size() < limit && scanned < scan) {
      ListAuditEventsResponse page = stubs.admin().listAuditEvents(ListAuditEventsRequest.newBuilder()
          .setPageSize(Math.min(PAGE, scan - scanned)).setPageToken(pageToken).build());
      for (AuditEvent event : page.getEventsList()) {
        if (found.size() < limit && matches(event)) {
          found.add(event);
        }
      }
      scanned += page.getEventsCount();
      pageToken = page.getNextPageToken();
      if (pageToken.isEmpty()) {
        break;
      }
    }
    output.table(found, List.of("ID", "AT", "KIND", "PRINCIPAL", "RPC", "RESOURCE", "DETAIL"), event -> List.of(
        Long.toString(event.getId()), Instant.ofEpochSecond(event.getAt().getSeconds()).toString(), event.getKind(),
        event.getPrincipal(), event.getRpc(), event.getResource(), event.getDetail()));
  }

  /** The kinds by their labels: a kind the server does not record is a usage error, not an empty answer. */
  static final class Kinds implements ITypeConverter<AuditKind>, Iterable<String> {
    @Override
    public AuditKind convert(String value) {
      return AuditKind.ofLabel(value).orElseThrow(() -> new TypeConversionException(
          "'" + value + "' is not an audit kind; the kinds are " + String.join(", ", AuditKind.labels())));
    }

    @Override
    public Iterator<String> iterator() {
      return AuditKind.labels().iterator();
    }
  }

  private boolean matches(AuditEvent event) {
    return (kind == null || event.getKind().equals(kind.label()))
        && (principal == null || event.getPrincipal().contains(principal))
        && (rpc == null || event.getRpc().contains(rpc))
        && (resource == null || event.getResource().startsWith(resource));
  }
}
