package dev.taskcert.server.authz;

import dev.taskcert.server.config.ServerConfig;
import jakarta.inject.Inject;
import java.util.regex.Pattern;

/**
 * The authorization rules for resource RPCs, as pure decisions over facts the services load. One
 * place holds every rule so the rule table in the docs can be checked against it.
 */
public final class AuthorizationPolicy {
  private final boolean multiTeam;

  @Inject
  AuthorizationPolicy(ServerConfig config) {
    this.multiTeam = config.multiTeam();
  }

  /**
   * Whether the caller's DAG allows reading variable {@code key}: always, unless the DAG declares
   * its resources and no declared pattern matches.
   */
  public Decision variableDeclared(CallerScope caller, String key) {
    if (!caller.dag().declaresResources()) {
      return Decision.ALLOW;
    }
    for (String pattern : caller.dag().allowedVariablePatterns()) {
      if (globMatches(pattern, key)) {
        return Decision.ALLOW;
      }
    }
    return Decision.deny("variable '" + key + "' is not declared by DAG '" + caller.dag().dagId() + "'");
  }

  /**
   * Whether the caller may read a variable owned by {@code variableTeam} ({@code null} = global):
   * global variables and the caller's own team's are readable; team checks are skipped when
   * multi-team is off.
   */
  public Decision readVariable(CallerScope caller, String key, String variableTeam) {
    if (!multiTeam || variableTeam == null || variableTeam.equals(caller.team())) {
      return Decision.ALLOW;
    }
    return Decision.deny(
        "variable '" + key + "' belongs to team '" + variableTeam + "'; caller's team is "
            + (caller.team() == null ? "none" : "'" + caller.team() + "'"));
  }

  /** Matches a declared pattern where {@code *} stands for any run of characters. */
  static boolean globMatches(String pattern, String value) {
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
}
