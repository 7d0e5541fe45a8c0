"""``flambeau serve``: the web app over the signature studies of a runs folder."""

from __future__ import annotations


def register(subparsers) -> None:
    parser = subparsers.add_parser("serve", help="web app of the signature studies (Dash)")
    parser.add_argument("--runs", default="runs", help="folder holding signature_* run folders")
    parser.add_argument("--host", default="127.0.0.1",
                        help="interface to bind (loopback by default; 0.0.0.0 exposes the app)")
    parser.add_argument("--port", type=int, default=8050)
    parser.set_defaults(func=run)


def run(args) -> int:
    import sys

    try:
        from flambeau.app import serve
    except ImportError as error:
        print(f"flambeau serve: the web app needs dash and plotly ({error}); "
              f"install them with: pip install 'flambeau[app]'", file=sys.stderr)
        return 2
    print(f"serving the studies of {args.runs} at http://{args.host}:{args.port}/")
    serve(args.runs, host=args.host, port=args.port)
    return 0
