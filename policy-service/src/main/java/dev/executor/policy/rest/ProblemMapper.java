package dev.executor.policy.rest;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.ElementKind;
import jakarta.validation.Path;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.jwt.JsonWebToken;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;

import dev.executor.contracts.ErrorReasons;
import dev.executor.policy.service.PolicyAdminService.ConflictException;
import dev.executor.policy.service.PolicyAdminService.RecordNotFoundException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;

/**
 * The one place where this service turns failures into {@code application/problem+json} (RFC 9457).
 * Callers get a status, a reason they can act on and no internals; unexpected failures are logged
 * with an id the caller can quote.
 */
public class ProblemMapper {

    private static final Logger LOG = Logger.getLogger(ProblemMapper.class);
    static final String PROBLEM_JSON = "application/problem+json";

    /** RFC 9457 problem details plus the machine-readable {@code reason}. */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Problem(String type, String title, int status, String detail, String reason,
            List<Map<String, String>> violations) {
    }

    @ServerExceptionMapper
    public Response unauthenticated(UnauthorizedException e) {
        return challenge("A valid bearer token is required.");
    }

    @ServerExceptionMapper
    public Response authenticationFailed(AuthenticationFailedException e) {
        return challenge("The bearer token is missing, expired or not issued by this realm.");
    }

    /**
     * A token without the required role. The attempt is logged at WARN with the caller's subject,
     * username and client (never the token): an agent trying to change policy is worth noticing.
     */
    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e, ContainerRequestContext request) {
        var principal = request.getSecurityContext() == null ? null : request.getSecurityContext().getUserPrincipal();
        if (principal instanceof JsonWebToken jwt) {
            boolean agent = request.getSecurityContext().isUserInRole("executor-agent");
            LOG.warnf("Refused %s %s: subject %s (username %s, client %s%s) lacks the required role",
                    request.getMethod(), request.getUriInfo().getPath(), jwt.getSubject(),
                    jwt.<Object>getClaim("preferred_username"), jwt.<Object>getClaim("azp"), agent ? ", an agent" : "");
        } else {
            LOG.warnf("Refused %s %s: caller %s lacks the required role", request.getMethod(),
                    request.getUriInfo().getPath(), principal == null ? "unknown" : principal.getName());
        }
        return problem(403, "Forbidden", "Your token does not carry a role that may do this.", ErrorReasons.PERMISSION_DENIED, List.of());
    }

    @ServerExceptionMapper
    public Response invalid(ConstraintViolationException e) {
        List<Map<String, String>> violations = e.getConstraintViolations().stream()
                .map(v -> Map.of("path", fieldPath(v), "message", v.getMessage()))
                .sorted((a, b) -> a.get("path").compareTo(b.get("path")))
                .toList();
        return problem(400, "Invalid request", "The request has " + violations.size() + " invalid field(s).",
                ErrorReasons.INVALID_ARGUMENTS, violations);
    }

    @ServerExceptionMapper
    public Response invalidInCode(InvalidRequestException e) {
        return problem(400, "Invalid request", e.getMessage(), ErrorReasons.INVALID_ARGUMENTS, e.violations);
    }

    @ServerExceptionMapper
    public Response notFound(RecordNotFoundException e) {
        return problem(404, "Not Found", e.getMessage(), "NOT_FOUND", List.of());
    }

    @ServerExceptionMapper
    public Response conflict(ConflictException e) {
        return problem(409, "Conflict", e.getMessage(), ErrorReasons.CONFLICT, List.of());
    }

    /** {@code scope} or {@code addresses[0]} rather than {@code create.body.scope}. */
    private static String fieldPath(ConstraintViolation<?> v) {
        StringBuilder path = new StringBuilder();
        for (Path.Node node : v.getPropertyPath()) {
            if (node.getKind() == ElementKind.METHOD || node.getKind() == ElementKind.PARAMETER) {
                continue;
            }
            if (node.getKind() == ElementKind.CONTAINER_ELEMENT) {
                path.append('[').append(node.getIndex()).append(']');
                continue;
            }
            if (!path.isEmpty()) {
                path.append('.');
            }
            path.append(node.getName());
            if (node.getIndex() != null) {
                path.append('[').append(node.getIndex()).append(']');
            }
        }
        return path.isEmpty() ? "body" : path.toString();
    }

    @ServerExceptionMapper
    public Response unreadable(JsonProcessingException e) {
        return problem(400, "Malformed JSON", "The request body is not valid JSON for this endpoint: " + e.getOriginalMessage(),
                ErrorReasons.INVALID_ARGUMENTS, List.of());
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        if (status >= 500) {
            return unexpected(e);
        }
        Response.Status known = Response.Status.fromStatusCode(status);
        String title = known != null ? known.getReasonPhrase() : "Request refused";
        return problem(status, title, e.getMessage(), reasonFor(status), List.of());
    }

    @ServerExceptionMapper
    public Response unexpected(Throwable e) {
        String incident = UUID.randomUUID().toString();
        LOG.errorf(e, "Unhandled failure, incident %s", incident);
        return problem(500, "Internal error", "Something failed on our side; quote incident " + incident + ".",
                ErrorReasons.INTERNAL, List.of());
    }

    private static Response challenge(String detail) {
        return Response.fromResponse(problem(401, "Unauthorized", detail, ErrorReasons.UNAUTHENTICATED, List.of()))
                .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"executor\"")
                .build();
    }

    static Response problem(int status, String title, String detail, String reason, List<Map<String, String>> violations) {
        var body = new Problem("https://executor.dev/problems/" + reason.toLowerCase().replace('_', '-'), title, status,
                detail, reason, violations);
        return Response.status(status).type(PROBLEM_JSON).entity(body).build();
    }

    private static String reasonFor(int status) {
        return switch (status) {
            case 400, 422 -> ErrorReasons.INVALID_ARGUMENTS;
            case 401 -> ErrorReasons.UNAUTHENTICATED;
            case 403 -> ErrorReasons.PERMISSION_DENIED;
            case 404 -> "NOT_FOUND";
            case 409 -> ErrorReasons.CONFLICT;
            case 429 -> ErrorReasons.RATE_LIMITED;
            default -> "REQUEST_REFUSED";
        };
    }
}
