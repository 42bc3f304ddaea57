using Microsoft.Extensions.DependencyInjection.Extensions;
using OrleansLicensing.Webhooks;

namespace OrleansLicensing.Server.Webhooks;

/// <summary>Registers webhook delivery in a silo (the host and the grain test clusters alike).</summary>
public static class WebhookServices
{
    /// <summary>
    /// The outbox and sender behind the dispatch grain's ports and the URL policy (the per-silo
    /// <see cref="WebhookSweeper"/> is one of the host's background jobs, <see cref="Hosting.BackgroundJobs"/>).
    /// Options default to the production values unless the host registered its own first.
    /// </summary>
    public static IServiceCollection AddLicensingWebhooks(this IServiceCollection services)
    {
        services.TryAddSingleton(new WebhookDeliveryOptions());
        services.TryAddSingleton<SqlWebhookOutbox>();
        services.TryAddSingleton<IWebhookOutbox>(sp => sp.GetRequiredService<SqlWebhookOutbox>());
        services.TryAddSingleton<WebhookTargetPolicy>();
        services.TryAddSingleton<WebhookSender>();
        services.TryAddSingleton<IWebhookSender>(sp => sp.GetRequiredService<WebhookSender>());
        return services;
    }
}
