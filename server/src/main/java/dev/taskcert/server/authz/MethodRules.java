package dev.taskcert.server.authz;

import com.google.protobuf.Descriptors;
import dev.taskcert.proto.admin.v1.AdminProto;
import dev.taskcert.proto.authz.v1.Caller;
import dev.taskcert.proto.authz.v1.Resource;
import dev.taskcert.proto.authz.v1.RuleProto;
import dev.taskcert.proto.ca.v1.CaProto;
import dev.taskcert.proto.execution.v1.ConnectionsProto;
import dev.taskcert.proto.execution.v1.TaskInstancesProto;
import dev.taskcert.proto.execution.v1.VariablesProto;
import dev.taskcert.proto.execution.v1.XComsProto;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.protobuf.ProtoMethodDescriptorSupplier;
import io.grpc.protobuf.ProtoServiceDescriptorSupplier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The rules of every method a server serves, read once at start from the {@code
 * (taskcert.authz.v1.rule)} options of the services' descriptors. Building it fails, naming every
 * offending method, if a served method has no rule or one that cannot be enforced: a server never
 * serves a method whose rule it does not know.
 *
 * <p>Two standard services that are not ours carry no option and get their rule here, in the one
 * place the docs table also shows: health (so that probes work without a certificate and without
 * the database) and server reflection.
 */
public final class MethodRules {
  /** Rules of the standard services we serve but do not define, by service name. */
  static final Map<String, String> FOREIGN_SERVICES = Map.of(
      "grpc.health.v1.Health", "serving status only; never consults the database",
      "grpc.reflection.v1.ServerReflection", "the served contract's descriptors");

  /** The files of the taskcert contract, whose every method must declare a rule. */
  private static final List<Descriptors.FileDescriptor> CONTRACT = List.of(
      CaProto.getDescriptor(), TaskInstancesProto.getDescriptor(), VariablesProto.getDescriptor(),
      ConnectionsProto.getDescriptor(), XComsProto.getDescriptor(), AdminProto.getDescriptor(),
      dev.taskcert.proto.execution.v1.AssetsProto.getDescriptor(),
      dev.taskcert.proto.execution.v1.StateStoresProto.getDescriptor(),
      dev.taskcert.proto.execution.v1.HitlProto.getDescriptor(),
      dev.taskcert.proto.admin.v1.AssetAdminProto.getDescriptor(),
      dev.taskcert.proto.admin.v1.HitlAdminProto.getDescriptor(),
      dev.taskcert.proto.execution.v1.DagRunsProto.getDescriptor(),
      dev.taskcert.proto.execution.v1.TaskInstanceQueriesProto.getDescriptor(),
      dev.taskcert.proto.execution.v1.TaskInstanceDetailsProto.getDescriptor());

  private final Map<String, MethodRule> byMethod;

  private MethodRules(Map<String, MethodRule> byMethod) {
    this.byMethod = Map.copyOf(byMethod);
  }

  /**
   * The rules of every method of {@code services}.
   *
   * @throws MethodRule.InvalidRuleException naming every method without an enforceable rule
   */
  public static MethodRules of(Collection<ServerServiceDefinition> services) {
    Map<String, MethodRule> rules = new LinkedHashMap<>();
    List<String> problems = new ArrayList<>();
    for (ServerServiceDefinition service : services) {
      Descriptors.ServiceDescriptor schema = schemaOf(service);
      for (var method : service.getMethods()) {
        MethodDescriptor<?, ?> descriptor = method.getMethodDescriptor();
        try {
          rules.put(descriptor.getFullMethodName(), ruleOf(service.getServiceDescriptor().getName(),
              descriptor, schema));
        } catch (MethodRule.InvalidRuleException e) {
          problems.add(e.getMessage());
        }
      }
    }
    if (!problems.isEmpty()) {
      throw new MethodRule.InvalidRuleException("refusing to serve methods without an enforceable "
          + "(taskcert.authz.v1.rule) option: " + String.join("; ", problems));
    }
    return new MethodRules(rules);
  }

  /** The rule of {@code fullMethodName}, or {@code null} if this server does not serve it. */
  public MethodRule of(String fullMethodName) {
    return byMethod.get(fullMethodName);
  }

  /** Every served method's rule, in the order the services were given. */
  public Collection<MethodRule> all() {
    return byMethod.values();
  }

  /** The rules of every method of the taskcert contract, in contract order, as declared. */
  public static List<MethodRule> contract() {
    List<MethodRule> rules = new ArrayList<>();
    for (Descriptors.FileDescriptor file : CONTRACT) {
      for (Descriptors.ServiceDescriptor service : file.getServices()) {
        for (Descriptors.MethodDescriptor method : service.getMethods()) {
          rules.add(declared(service.getFullName() + "/" + method.getName(), method));
        }
      }
    }
    return rules;
  }

  /** The standard services' rules, as {@link #of} applies them, for the docs. */
  public static List<MethodRule> foreign() {
    return FOREIGN_SERVICES.keySet().stream().sorted()
        .map(service -> foreignRule(service + "/*", service))
        .toList();
  }

  private static MethodRule ruleOf(String serviceName, MethodDescriptor<?, ?> method,
      Descriptors.ServiceDescriptor schema) {
    String name = method.getFullMethodName();
    if (FOREIGN_SERVICES.containsKey(serviceName)) {
      return foreignRule(name, serviceName);
    }
    Descriptors.MethodDescriptor proto = method.getSchemaDescriptor() instanceof ProtoMethodDescriptorSupplier supplier
        ? supplier.getMethodDescriptor()
        : schema == null ? null : schema.findMethodByName(method.getBareMethodName());
    if (proto == null) {
      throw new MethodRule.InvalidRuleException(name + ": no protobuf descriptor to read a rule from");
    }
    return declared(name, proto);
  }

  private static MethodRule declared(String name, Descriptors.MethodDescriptor method) {
    if (!method.getOptions().hasExtension(RuleProto.rule)) {
      throw new MethodRule.InvalidRuleException(name + ": no (taskcert.authz.v1.rule) option");
    }
    return MethodRule.fromProto(name, method.getOptions().getExtension(RuleProto.rule));
  }

  private static MethodRule foreignRule(String name, String serviceName) {
    return new MethodRule(name, Caller.CALLER_ANONYMOUS, Set.of(), Set.of(), Resource.RESOURCE_PUBLIC,
        FOREIGN_SERVICES.get(serviceName), false, false);
  }

  private static Descriptors.ServiceDescriptor schemaOf(ServerServiceDefinition service) {
    return service.getServiceDescriptor().getSchemaDescriptor() instanceof ProtoServiceDescriptorSupplier supplier
        ? supplier.getServiceDescriptor()
        : null;
  }
}
