package dev.taskcert.supervisor.client;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The answer part of a human-in-the-loop detail.
 *
 * @param respondedBy the answering user; empty when the task answered or no one has
 */
public record HitlAnswer(boolean received, Optional<String> respondedBy, Optional<Instant> respondedAt,
    List<String> chosenOptions, String paramsInputJson) {

  public HitlAnswer {
    chosenOptions = List.copyOf(chosenOptions);
  }
}
