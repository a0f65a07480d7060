"""Talking to a running `outillerie serve` over HTTP: fetch a kit (so it is counted) or the public figures; or to a
site published on a static host, whose kits are fetched as they are (and not counted).

The only module that imports requests. It says who it is in its user agent: whether a download by
this tool counts is for the COUNTER robots rules to decide, never faked.
"""

from __future__ import annotations

import os
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlencode

import requests

from .. import __version__
from ..errors import ClientError
from ..sheets.sheet import MAX_SLUG, SLUG_RE

USER_AGENT = f"outillerie/{__version__} (outil en ligne de commande)"
TIMEOUT = (5, 30)  # seconds to connect, seconds between two pieces of data
CHUNK = 64 * 1024


@dataclass(frozen=True)
class KitDownload:
    """A kit saved whole: where, and whether a counter saw the download (not on a static host)."""

    path: Path
    counted: bool


def download_kit(server: str, slug: str, output: Path,
                 progress: Callable[[str, int, int], None] | None = None,
                 timeout: tuple[float, float] = TIMEOUT) -> KitDownload:
    """Fetch `/telecharger/<slug>` (counted) into `output`; from a site on a static host, where no counter answers,
    the published kit `telechargements/<slug>.zip` (not counted). The file appears whole and checked, or not at all."""
    if not SLUG_RE.fullmatch(slug) or len(slug) > MAX_SLUG:
        raise ClientError(f"« {slug[:100]} » n'est pas un nom de fiche (minuscules sans accents, chiffres, tirets). "
                          "Pour corriger : copiez le nom depuis outillerie search ou l'adresse de la fiche.")
    base = server.rstrip("/")
    output.mkdir(parents=True, exist_ok=True)
    url = f"{base}/telecharger/{slug}"
    with _get(url, stream=True, timeout=timeout) as response:
        if not _no_counter(response):
            return KitDownload(_receive(response, url, slug, output, progress), counted=True)
    url = f"{base}/telechargements/{slug}.zip"
    with _get(url, stream=True, timeout=timeout) as response:
        if response.status_code in (403, 404, 410):
            raise ClientError(f"le serveur {server} n'a pas de fiche « {slug[:100]} » (ni compteur qui la connaisse, ni "
                              f"kit publié telechargements/{slug[:100]}.zip). Pour corriger : vérifiez le nom de la fiche "
                              "(outillerie search sans mot les liste toutes) et l'adresse du site.")
        return KitDownload(_receive(response, url, slug, output, progress), counted=False)


def _no_counter(response: requests.Response) -> bool:
    """No outillerie counter answered: a route it does not know (404, 405…), or a page where a kit was expected."""
    if response.status_code in (403, 404, 405, 410, 501):
        return True
    kind = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    return response.status_code == 200 and kind == "text/html"


def _receive(response: requests.Response, url: str, slug: str, output: Path,
             progress: Callable[[str, int, int], None] | None) -> Path:
    """Write the kit a response carries into `output/<slug>.zip`, checked (size, ZIP) before it gets its name."""
    _raise_for_status(response, url)
    total = int(response.headers["Content-Length"]) if response.headers.get("Content-Length", "").isdigit() else None
    handle, temporary = tempfile.mkstemp(prefix=".outillerie-", suffix=".part", dir=output)
    received = 0
    try:
        with os.fdopen(handle, "wb") as file:
            for chunk in response.iter_content(CHUNK):
                file.write(chunk)
                received += len(chunk)
                if progress and total:
                    progress("Téléchargement", received, total)
        if total is not None and received != total:
            raise ClientError(f"le téléchargement de « {slug} » s'est interrompu ({received} octets reçus sur "
                              f"{total}). Pour corriger : relancez la commande.")
        if not zipfile.is_zipfile(temporary):
            raise ClientError(f"ce que le serveur a envoyé pour « {slug} » n'est pas une archive ZIP valide. "
                              "Pour corriger : relancez la commande ; si cela se reproduit, prévenez l'équipe du site.")
        with zipfile.ZipFile(temporary) as archive:
            if archive.testzip() is not None:
                raise ClientError(f"l'archive reçue pour « {slug} » est abîmée. Pour corriger : relancez la commande.")
        target = output / f"{slug}.zip"  # never a name chosen by the server: it could hold « ../ »
        os.chmod(temporary, 0o666 & ~_umask())  # mkstemp's 0600 would hide the kit from the user's group
        os.replace(temporary, target)
        return target
    except requests.RequestException as error:
        raise ClientError(f"le téléchargement de « {slug} » s'est interrompu ({received} octets reçus). "
                          "Pour corriger : relancez la commande.") from error
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def _umask() -> int:
    """This process's umask, read without changing it where Linux says it (os.umask sets it to read it)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def fetch_stats(server: str, by: str = "resource", since: date | None = None,
                until: date | None = None) -> dict[str, Any]:
    """The public figures of a running server (`/api/stats.json`)."""
    query = urlencode({"by": by, **{k: v.isoformat() for k, v in (("since", since), ("until", until)) if v}})
    return _get_json(f"{server.rstrip('/')}/api/stats.json?{query}")


def fetch_figures(server: str) -> dict[str, Any]:
    """Every public figure of a running server (`/api/chiffres.json`), as `outillerie stats --figures` writes them."""
    return _get_json(f"{server.rstrip('/')}/api/chiffres.json")


def _get_json(url: str) -> dict[str, Any]:
    """The JSON a running server answers at `url`, or a French message when it is not an outillerie server."""
    with _get(url) as response:
        _raise_for_status(response, url)
        try:
            data: dict[str, Any] = response.json()
            return data
        except ValueError as error:
            raise ClientError(f"{url} n'a pas renvoyé de JSON : est-ce bien un serveur outillerie ? "
                              "Pour corriger : donnez l'adresse affichée par outillerie serve.") from error


def _get(url: str, stream: bool = False, timeout: tuple[float, float] = TIMEOUT) -> requests.Response:
    """GET with our user agent and timeouts; every network failure becomes a French message."""
    if not url.startswith(("http://", "https://")):
        raise ClientError(f"« {url} » n'est pas une adresse web. Pour corriger : écrivez par exemple "
                          "--server http://127.0.0.1:8000")
    try:
        return requests.get(url, stream=stream, timeout=timeout, headers={"User-Agent": USER_AGENT})
    except requests.exceptions.ConnectTimeout as error:
        raise ClientError(f"le serveur de {url} ne répond pas. Pour corriger : vérifiez l'adresse et que le serveur "
                          "est lancé (outillerie serve).") from error
    except requests.exceptions.ConnectionError as error:
        raise ClientError(f"la connexion à {url} est impossible (refusée ou adresse inconnue). Pour corriger : "
                          "lancez le serveur (outillerie serve) ou corrigez --server.") from error
    except requests.exceptions.Timeout as error:
        raise ClientError(f"le serveur de {url} ne répond plus. Pour corriger : réessayez plus tard.") from error
    except requests.RequestException as error:
        raise ClientError(f"la requête vers {url} a échoué. Pour corriger : vérifiez l'adresse (--server).") from error


def _raise_for_status(response: requests.Response, url: str) -> None:
    if response.status_code >= 400:
        raise ClientError(f"le serveur a répondu {response.status_code} pour {url}. Pour corriger : vérifiez "
                          "l'adresse ; si le serveur est en panne, réessayez plus tard.")
