package io.quiver.proxy.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.milvus.grpc.MilvusServiceGrpc;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class SecurityGrpcServiceTest {

    private static String javaName(String bare) {
        return Character.toLowerCase(bare.charAt(0)) + bare.substring(1);
    }

    @Test
    void everyClaimedMethodExistsAndIsImplementedHere() {
        Set<String> rpcs = MilvusServiceGrpc.getServiceDescriptor().getMethods().stream()
                .map(MethodDescriptor::getBareMethodName).collect(Collectors.toSet());
        Set<String> declared = Arrays.stream(SecurityGrpcService.class.getDeclaredMethods()).map(Method::getName).collect(Collectors.toSet());
        for (String m : SecurityGrpcService.METHODS) {
            assertThat(rpcs).as("MilvusService has %s", m).contains(m);
            assertThat(declared).as("SecurityGrpcService overrides %s", m).contains(javaName(m));
        }
    }

    @Test
    void overlayServesClaimedMethodsFromTheSecurityService() {
        var main = new MilvusServiceGrpc.MilvusServiceImplBase() {}.bindService();
        var security = new MilvusServiceGrpc.MilvusServiceImplBase() {}.bindService(); // stands in: only the routing is tested
        ServerServiceDefinition merged = SecurityGrpcService.overlay(main, security);
        assertThat(merged.getMethods()).hasSameSizeAs(main.getMethods());
        for (var m : merged.getMethods()) {
            String full = m.getMethodDescriptor().getFullMethodName();
            var expected = SecurityGrpcService.METHODS.contains(m.getMethodDescriptor().getBareMethodName())
                    ? security.getMethod(full) : main.getMethod(full);
            assertThat(m.getServerCallHandler()).isSameAs(expected.getServerCallHandler());
        }
    }
}
