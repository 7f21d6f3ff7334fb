package dev.taskcert.server.hitl;

import java.time.Instant;
import java.util.List;

/**
 * A task instance's human-in-the-loop detail: the question and, once given, the answer.
 *
 * @param respondedAt when the answer was recorded, or {@code null} while unanswered
 * @param respondedBy the answering user, or {@code null} when the task answered or no one has
 */
public record HitlRow(long taskInstanceId, List<String> options, String subject, String body, List<String> defaults,
    boolean multiple, String params, Instant respondedAt, String respondedBy, List<String> chosenOptions,
    String paramsInput) {

  public HitlRow {
    options = options == null ? List.of() : List.copyOf(options);
    defaults = defaults == null ? List.of() : List.copyOf(defaults);
    chosenOptions = chosenOptions == null ? List.of() : List.copyOf(chosenOptions);
  }
}
