"""The framework baseline of `make bench`: a report's body through the same server and
framework as intake (uvicorn with uvloop and httptools, FastAPI, pydantic), answered 201
with no database, broker, token or middleware. Run as `python -m redgrid_dev.bench_frame`
with PORT set. Intake's rate as a fraction of this one is what intake's own work costs."""

import os
import uuid

import uvicorn
from fastapi import FastAPI
from pydantic import BaseModel, Field

app = FastAPI()


class Report(BaseModel):
    category: str = Field(max_length=64)
    description: str = Field(max_length=2000)
    building: str = Field(max_length=64)
    unit: str | None = Field(default=None, max_length=64)


@app.get("/readyz")
async def ready() -> dict:
    return {"status": "ready"}


@app.post("/v1/issues", status_code=201)
async def report(body: Report) -> dict:
    return {"id": f"iss-{uuid.uuid4().hex[:16]}", "status": "reported", **body.model_dump()}


if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(os.environ["PORT"]), log_level="warning",
                access_log=False, server_header=False)
