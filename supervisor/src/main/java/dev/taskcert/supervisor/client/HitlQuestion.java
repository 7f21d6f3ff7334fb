package dev.taskcert.supervisor.client;

import java.util.List;

/**
 * A human-in-the-loop question: the options, its subject and body, the options chosen when no one
 * answers, whether several may be chosen, and the parameters to fill in (a JSON object).
 */
public record HitlQuestion(List<String> options, String subject, String body, List<String> defaults,
    boolean multiple, String paramsJson) {

  public HitlQuestion {
    options = List.copyOf(options);
    defaults = List.copyOf(defaults);
  }
}
