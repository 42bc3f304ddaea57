using System.Collections.Concurrent;
using OrleansLicensing.Apps;
using OrleansLicensing.Security;
using OrleansLicensing.Server.Auth.Signing;

namespace OrleansLicensing.Server.Auth;

/// <summary>
/// What the edge derives from an app's view, built once per app version instead of per request:
/// the compiled security lists and the imported signing key. The view itself is always fetched
/// from the app grain, so a change is seen by the very next request on every silo.
/// </summary>
public sealed class AppMaterialCache
{
    private readonly ConcurrentDictionary<string, AppMaterial> _byApp = new(StringComparer.Ordinal);

    /// <summary>The material for this exact version of the app.</summary>
    public AppMaterial For(AppAuthView view)
    {
        if (_byApp.TryGetValue(view.AppId, out var cached) && cached.Version == view.Version) return cached;
        var material = new AppMaterial(
            view.Version,
            SecurityListMatcher.Build(view.Security),
            new ResponseSigningKeys(view.AppSecret, cached?.Signer.KeyId == view.KeyId ? cached.Signer : Ed25519Signer.FromSeed(view.SigningSeed)));
        _byApp[view.AppId] = material;
        return material;
    }
}

/// <summary>Derived, immutable material of one app version.</summary>
public sealed record AppMaterial(long Version, SecurityListMatcher Security, ResponseSigningKeys Keys)
{
    /// <summary>The imported current Ed25519 key.</summary>
    public Ed25519Signer Signer => Keys.Ed25519;
}
