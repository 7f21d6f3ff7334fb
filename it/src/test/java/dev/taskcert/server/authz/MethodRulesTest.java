package dev.taskcert.server.authz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.TypeLiteral;
import com.google.inject.multibindings.Multibinder;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.MethodDescriptorProto;
import com.google.protobuf.DescriptorProtos.MethodOptions;
import com.google.protobuf.DescriptorProtos.ServiceDescriptorProto;
import com.google.protobuf.Descriptors;
import com.google.protobuf.Empty;
import dev.taskcert.proto.authz.v1.Caller;
import dev.taskcert.proto.authz.v1.Resource;
import dev.taskcert.proto.authz.v1.Rule;
import dev.taskcert.proto.authz.v1.RuleProto;
import dev.taskcert.server.ServerModules;
import dev.taskcert.server.grpc.ServicePorts;
import dev.taskcert.server.grpc.TaskcertServer;
import dev.taskcert.server.testing.FreePorts;
import dev.taskcert.server.testing.TestEnvironment;
import io.grpc.BindableService;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.protobuf.ProtoMethodDescriptorSupplier;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ServerCalls;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A server never serves a method whose rule it does not know, or cannot enforce. */
class MethodRulesTest {
  @RegisterExtension
  static final TestEnvironment env = new TestEnvironment();

  @Test
  void aServerWithAnUnruledMethodRefusesToStartAndBindsNothing() throws Exception {
    int port = FreePorts.next();
    var config = env.dev().config().toBuilder().executionPort(port).enrollmentPort(0).build();
    List<com.google.inject.Module> modules = new ArrayList<>(ServerModules.all(config, env.clock));
    modules.add(new AbstractModule() {
      @Override
      protected void configure() {
        Multibinder.newSetBinder(binder(), BindableService.class, ServicePorts.Execution.class)
            .addBinding().toInstance(() -> service("test.v1.Unruled", "Forgotten", null));
      }
    });
    Injector injector = Guice.createInjector(modules);
    try {
      MethodRule.InvalidRuleException refused = assertThrows(MethodRule.InvalidRuleException.class,
          () -> injector.getInstance(TaskcertServer.class).start());
      assertTrue(refused.getMessage().contains("test.v1.Unruled/Forgotten: no (taskcert.authz.v1.rule) option"),
          refused.getMessage());
      try (ServerSocket stillFree = new ServerSocket(port)) {
        assertEquals(port, stillFree.getLocalPort(), "nothing was bound");
      }
    } finally {
      ((AutoCloseable) injector.getInstance(DataSource.class)).close();
    }
  }

  /**
   * What the server binds on its ports is the contract, exactly: every {@code taskcert.*} method
   * bound is a method of {@link MethodRules#contract()}, the list the docs' rule table is generated
   * from and that AuthorizationRulesTest checks its caller-kind pins against, and every method of
   * it is bound. So a service in a new proto file cannot be served before it is in that list, and
   * so in the table and the pins. Anything else bound is one of the standard services the table
   * lists.
   */
  @Test
  void theServerBindsExactlyTheContract() throws Exception {
    Set<String> bound = new TreeSet<>();
    for (var port : List.of(ServicePorts.Execution.class, ServicePorts.Enrollment.class)) {
      for (BindableService service : env.dev().runtime().injector()
          .getInstance(Key.get(new TypeLiteral<Set<BindableService>>() {}, port))) {
        service.bindService().getMethods()
            .forEach(method -> bound.add(method.getMethodDescriptor().getFullMethodName()));
      }
    }
    Set<String> contract = MethodRules.contract().stream().map(MethodRule::method)
        .collect(Collectors.toCollection(TreeSet::new));
    assertEquals(List.of(), bound.stream().filter(method -> method.startsWith("taskcert."))
        .filter(method -> !contract.contains(method)).toList(), "bound but not in MethodRules.contract()");
    assertEquals(List.of(), contract.stream().filter(method -> !bound.contains(method)).toList(),
        "in MethodRules.contract() but not bound");
    Set<String> standard = MethodRules.foreign().stream().map(rule -> serviceOf(rule.method()))
        .collect(Collectors.toSet());
    assertEquals(List.of(), bound.stream()
        .filter(method -> !method.startsWith("taskcert.") && !standard.contains(serviceOf(method))).toList(),
        "bound methods that are neither the contract's nor a standard service's");
  }

  private static String serviceOf(String method) {
    return method.substring(0, method.indexOf('/'));
  }

  @Test
  void namesEveryMethodWithoutAnEnforceableRule() {
    Rule anonymousVariables = Rule.newBuilder().setCaller(Caller.CALLER_ANONYMOUS)
        .setResource(Resource.RESOURCE_VARIABLE).build();
    Rule taskWithoutStates = Rule.newBuilder().setCaller(Caller.CALLER_TASK)
        .setResource(Resource.RESOURCE_VARIABLE).build();
    Rule adminWithStates = Rule.newBuilder().setCaller(Caller.CALLER_ADMIN)
        .setResource(Resource.RESOURCE_CONTROL_PLANE)
        .addTryStates(dev.taskcert.proto.execution.v1.TaskState.TASK_STATE_RUNNING).build();
    Rule noCaller = Rule.newBuilder().setResource(Resource.RESOURCE_PUBLIC).build();
    Rule fine = Rule.newBuilder().setCaller(Caller.CALLER_TASK).setResource(Resource.RESOURCE_OWN_TRY)
        .addTryStates(dev.taskcert.proto.execution.v1.TaskState.TASK_STATE_RUNNING).build();
    MethodRule.InvalidRuleException refused = assertThrows(MethodRule.InvalidRuleException.class, () -> MethodRules.of(List.of(
        service("test.v1.A", "Unruled", null),
        service("test.v1.B", "AnonymousVariables", anonymousVariables),
        service("test.v1.C", "TaskWithoutStates", taskWithoutStates),
        service("test.v1.D", "AdminWithStates", adminWithStates),
        service("test.v1.E", "NoCaller", noCaller),
        service("test.v1.F", "Fine", fine),
        descriptorless("test.v1.G", "NoDescriptor"))));
    String message = refused.getMessage();
    for (String method : List.of("test.v1.A/Unruled", "test.v1.B/AnonymousVariables", "test.v1.C/TaskWithoutStates",
        "test.v1.D/AdminWithStates", "test.v1.E/NoCaller", "test.v1.G/NoDescriptor")) {
      assertTrue(message.contains(method), method + " in " + message);
    }
    assertTrue(!message.contains("test.v1.F/Fine"), message);
    assertEquals(Caller.CALLER_TASK, MethodRules.of(List.of(service("test.v1.F", "Fine", fine)))
        .of("test.v1.F/Fine").caller());
  }

  /** A one-method service whose protobuf descriptor carries {@code rule}, or no rule when null. */
  private static ServerServiceDefinition service(String serviceName, String methodName, Rule rule) {
    int dot = serviceName.lastIndexOf('.');
    MethodDescriptorProto.Builder method = MethodDescriptorProto.newBuilder().setName(methodName)
        .setInputType(".google.protobuf.Empty").setOutputType(".google.protobuf.Empty");
    if (rule != null) {
      method.setOptions(MethodOptions.newBuilder().setExtension(RuleProto.rule, rule));
    }
    Descriptors.FileDescriptor file;
    try {
      file = Descriptors.FileDescriptor.buildFrom(FileDescriptorProto.newBuilder()
          .setName(serviceName.replace('.', '/') + ".proto").setPackage(serviceName.substring(0, dot))
          .addDependency("google/protobuf/empty.proto")
          .addService(ServiceDescriptorProto.newBuilder().setName(serviceName.substring(dot + 1)).addMethod(method))
          .build(), new Descriptors.FileDescriptor[] {Empty.getDescriptor().getFile()});
    } catch (Descriptors.DescriptorValidationException e) {
      throw new IllegalStateException(e);
    }
    Descriptors.MethodDescriptor proto = file.getServices().get(0).getMethods().get(0);
    ProtoMethodDescriptorSupplier supplier = new ProtoMethodDescriptorSupplier() {
      @Override public Descriptors.MethodDescriptor getMethodDescriptor() { return proto; }
      @Override public Descriptors.ServiceDescriptor getServiceDescriptor() { return proto.getService(); }
      @Override public Descriptors.FileDescriptor getFileDescriptor() { return file; }
    };
    return definition(serviceName, methodName, supplier);
  }

  /** A one-method service with no protobuf descriptor at all. */
  private static ServerServiceDefinition descriptorless(String serviceName, String methodName) {
    return definition(serviceName, methodName, null);
  }

  private static ServerServiceDefinition definition(String serviceName, String methodName, Object schema) {
    MethodDescriptor<Empty, Empty> method = MethodDescriptor.<Empty, Empty>newBuilder()
        .setType(MethodDescriptor.MethodType.UNARY)
        .setFullMethodName(serviceName + "/" + methodName)
        .setRequestMarshaller(ProtoUtils.marshaller(Empty.getDefaultInstance()))
        .setResponseMarshaller(ProtoUtils.marshaller(Empty.getDefaultInstance()))
        .setSchemaDescriptor(schema)
        .build();
    return ServerServiceDefinition.builder(ServiceDescriptor.newBuilder(serviceName).addMethod(method).build())
        .addMethod(method, ServerCalls.asyncUnaryCall((request, observer) -> {
          observer.onNext(request);
          observer.onCompleted();
        }))
        .build();
  }
}
