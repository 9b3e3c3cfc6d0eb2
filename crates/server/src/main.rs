//! `steward`: the server, its migrations and its OpenAPI document.

use std::path::PathBuf;

use clap::{Parser, Subcommand};
use steward::{Application, Settings, settings::VARIABLES, telemetry};

#[derive(Parser)]
#[command(name = "steward", version, about = "Steward: a self-hostable developer console and instance API.", after_long_help = variables_help(), after_help = variables_help())]
struct Cli {
    /// A TOML file with settings (same keys as the variables below, in lower case, without the prefix).
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Apply migrations and serve the console, the API and the API reference.
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Print one of the two OpenAPI documents (JSON) and exit.
    Openapi {
        /// `console` (the console and management API) or `public` (the instance public API).
        #[arg(value_parser = ["console", "public"])]
        document: String,
    },
}

fn variables_help() -> String {
    let mut s = String::from("Configuration (environment variables; defaults in brackets):\n");
    for (name, default, meaning) in VARIABLES {
        s.push_str(&format!("  {name} [{default}]\n      {meaning}\n"));
    }
    s
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    if let Command::Openapi { document } = &cli.command {
        let which = if document == "public" { steward_http::openapi::Which::Public } else { steward_http::openapi::Which::Console };
        let doc = steward_http::openapi::document(which);
        return match steward_http::openapi::to_pretty_json(&doc) {
            Ok(json) => {
                print!("{json}");
                std::process::ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: {e:#}");
                std::process::ExitCode::FAILURE
            }
        };
    }
    let settings = match Settings::load(cli.config.as_deref()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e:#}");
            return std::process::ExitCode::from(2);
        }
    };
    telemetry::init(&settings.log, &settings.log_format);
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: failed to start the async runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async move {
        match cli.command {
            Command::Serve => Application::build(settings).await?.run_until_stopped().await.map_err(anyhow::Error::from),
            Command::Migrate => {
                if settings.uses_sqlite() {
                    std::fs::create_dir_all(&settings.data_dir)?;
                }
                let db = steward_persistence::connect(&settings.database_url()).await?;
                steward_persistence::db::migrate(&db).await?;
                tracing::info!("migrations applied");
                Ok(())
            }
            Command::Openapi { .. } => Ok(()),
        }
    });
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error.cause_chain = ?e, "steward stopped with an error");
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
