"""An LCEL chain that turns free-text notes into typed objects: prompt | ChatAIMLAPI | schema.

    python examples/lcel_structured_output.py

Live with ``AIMLAPI_API_KEY`` set; without it, replays
``cassettes/examples/lcel_structured_output.yaml``.
"""

from __future__ import annotations

from _offline import live_or_replay
from langchain_core.prompts import ChatPromptTemplate
from pydantic import BaseModel, Field

from langchain_aimlapi import ChatAIMLAPI

MODEL = "gpt-4o-mini"


class Event(BaseModel):
    """An event mentioned in a note."""

    title: str = Field(description="What the event is called, as written in the note")
    city: str = Field(description="The city where it takes place")
    attendees: int = Field(description="How many people attend")


NOTES = [
    "Booked the 'Q3 planning' offsite in Lisbon: 12 people, two days.",
    "Reminder: the 'Rust meetup' moves to Berlin, we expect 40 attendees.",
]


def main() -> None:
    with live_or_replay("lcel_structured_output") as connection:
        llm = ChatAIMLAPI(model=MODEL, temperature=0, **connection)
        prompt = ChatPromptTemplate.from_messages(
            [("system", "Extract the event from the user's note."), ("user", "{note}")]
        )
        # with_structured_output sends the schema as response_format json_schema and parses
        # the reply into an Event (a pydantic error if the model strays from the schema).
        chain = prompt | llm.with_structured_output(Event)

        for note, event in zip(NOTES, chain.batch([{"note": n} for n in NOTES]), strict=True):
            assert isinstance(event, Event)
            print(f"\nnote:  {note}")
            print(f"event: {event!r}")
            print(f"       {event.title} in {event.city}, {event.attendees} attendees")


if __name__ == "__main__":
    main()
