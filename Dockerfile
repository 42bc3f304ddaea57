# syntax=docker/dockerfile:1
# OrleansLicensing server image.
#   docker build -t orleans-licensing .
#   docker run -p 8080:8080 -v orleans-licensing-data:/var/lib/orleans-licensing orleans-licensing

# ---- build ----
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /source

# Restore first, from the central package files and project files only, for layer caching.
COPY Directory.Build.props Directory.Packages.props ./
COPY src/OrleansLicensing.Abstractions/OrleansLicensing.Abstractions.csproj src/OrleansLicensing.Abstractions/
COPY src/OrleansLicensing.Grains/OrleansLicensing.Grains.csproj src/OrleansLicensing.Grains/
COPY src/OrleansLicensing.Server/OrleansLicensing.Server.csproj src/OrleansLicensing.Server/
RUN dotnet restore src/OrleansLicensing.Server/OrleansLicensing.Server.csproj

# Sources, plus the SQL schema files the server embeds (../../scripts/sql/**/*.sql).
COPY src/ src/
COPY scripts/sql/ scripts/sql/
RUN dotnet publish src/OrleansLicensing.Server/OrleansLicensing.Server.csproj \
        -c Release -o /app --no-restore -p:UseAppHost=false

# ---- runtime ----
FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime

# curl is only used by the HEALTHCHECK below (the aspnet image ships neither curl nor wget).
RUN apt-get update \
    && apt-get install -y --no-install-recommends curl \
    && rm -rf /var/lib/apt/lists/*

# Data directory (SQLite database etc.), writable by the image's non-root "app" user (UID 1654).
RUN mkdir -p /var/lib/orleans-licensing \
    && chown app:app /var/lib/orleans-licensing
VOLUME /var/lib/orleans-licensing

WORKDIR /app
COPY --from=build /app ./

ENV ASPNETCORE_URLS=http://+:8080 \
    Licensing__DataDirectory=/var/lib/orleans-licensing

# 8080: HTTP API, 11111: Orleans silo-to-silo, 30000: Orleans client gateway.
EXPOSE 8080 11111 30000

USER $APP_UID

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD curl -fsS -o /dev/null http://127.0.0.1:8080/health/ready || exit 1

ENTRYPOINT ["dotnet", "OrleansLicensing.Server.dll"]
